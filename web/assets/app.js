// octoinvite's pages work without this script; it only adds conveniences:
// - copy buttons beside the values a person needs to copy (a new API key, an invitation link);
// - Octopus's web links (/app#/users/me, /app#/configuration/teams/Teams-1, ...) open the
//   matching page: the server never sees what follows the "#", so the page at /app forwards it.
(function () {
  "use strict";

  function forwardOctopusLink() {
    if (location.pathname !== "/app" || !location.hash.startsWith("#/")) {
      return;
    }
    var target = location.hash.slice(2);
    // Only a path of this server's pages: no scheme, no host, no way out of /app/.
    if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@\/?%]*$/.test(target) || target.indexOf("//") >= 0 || target.indexOf("..") >= 0) {
      return;
    }
    location.replace("/app/" + target);
  }

  function enableCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      var status = document.querySelector('[data-copied="' + button.getAttribute("data-copy") + '"]');
      if (!input || !navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          if (status) {
            status.textContent = "Copied.";
          }
        }, function () {
          input.select();
          if (status) {
            status.textContent = "Select the text and copy it.";
          }
        });
      });
    });
  }

  forwardOctopusLink();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enableCopyButtons);
  } else {
    enableCopyButtons();
  }
})();
