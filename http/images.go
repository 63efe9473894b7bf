package http

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"strings"
	"unicode"

	"github.com/octoinvite/octoinvite"
)

// Octopus's spaces carry a Logo and its users an Avatar link. octoinvite stores no images: both
// answer a small SVG of the initials of the name on a colour chosen by the ID, so that the
// links answer an image and no address leaves the server (Octopus's avatars come from Gravatar,
// which would learn a digest of each user's email address).

// avatarColours are the backgrounds of the images, dark enough for white text (contrast at least
// 4.5:1).
var avatarColours = []string{"#1f5f99", "#2e6b30", "#8a3b12", "#6b2d8a", "#0f6b6b", "#8a1f4a", "#4a5a1f", "#374151"}

// initialsSVG returns a square SVG image of up to two initials of name, on a colour that id
// chooses.
func initialsSVG(name, id string) []byte {
	var initials []rune
	for _, word := range strings.Fields(name) {
		for _, r := range word {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				initials = append(initials, unicode.ToUpper(r))
				break
			}
		}
		if len(initials) == 2 {
			break
		}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	colour := avatarColours[h.Sum32()%uint32(len(avatarColours))]
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="%s">`+
		`<rect width="64" height="64" rx="8" fill="%s"/>`+
		`<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="26" fill="#ffffff">%s</text></svg>`,
		html.EscapeString(name), colour, html.EscapeString(string(initials)))
}

// writeSVG answers an image. Its policy forbids any script or external load, should a name ever
// get past the escaping.
func writeSVG(w http.ResponseWriter, svg []byte) {
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(svg)
}

// handleSpaceLogo answers the space's logo, GET /api/spaces/{id}/logo.
func (s *Server) handleSpaceLogo(w http.ResponseWriter, r *http.Request) error {
	space, err := s.Spaces.FindSpaceByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeSVG(w, initialsSVG(space.Name, space.ID))
	return nil
}

// handleAvatar answers the user's avatar, GET /api/users/{id}/avatar, to the user and to
// callers with UserView.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserView); err != nil {
		return err
	}
	user, err := s.Users.FindUserByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeSVG(w, initialsSVG(user.DisplayName, user.ID))
	return nil
}
