package http_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestNamesFolded: space and team names are compared by their folded form on each store, so
// that "Équipe" and "équipe" are one name on SQLite as on PostgreSQL: the second is the 409 a
// taken name gets, and the name filters find a name by any of its spellings.
func TestNamesFolded(t *testing.T) {
	onEachStore(t, func(t *testing.T, env *servertest.Env) {
		admin(t, env, "POST", "/api/spaces", `{"Name":"équipe"}`).want(t, http.StatusCreated, "")
		admin(t, env, "POST", "/api/spaces", `{"Name":"Équipe","Slug":"crew"}`).wantJSON(t, http.StatusConflict,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["A space with the name 'Équipe' or the slug 'crew' already exists."]}`)
		admin(t, env, "POST", "/api/spaces", `{"Name":"ＤＥＦＡＵＬＴ","Slug":"crew"}`).wantJSON(t, http.StatusConflict,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["A space with the name 'ＤＥＦＡＵＬＴ' or the slug 'crew' already exists."]}`)
		admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"équipe"}`).want(t, http.StatusCreated, "")
		admin(t, env, "POST", "/api/Spaces-1/teams", `{"Name":"Équipe"}`).wantJSON(t, http.StatusConflict,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["A team with the name 'Équipe' already exists in this space."]}`)

		for query, want := range map[string]string{
			"name=" + url.QueryEscape("ÉQUIPE"):             "Spaces-2",
			"name=" + url.QueryEscape("E\u0301QUIPE"):       "Spaces-2",
			"partialName=" + url.QueryEscape("ÉQU"):         "Spaces-2",
			"name=" + url.QueryEscape("ｄｅｆａｕｌｔ"):            "Spaces-1",
			"name=" + url.QueryEscape("equipe"):             "",
			"partialName=" + url.QueryEscape("\u00c9QUIPE"): "Spaces-2",
		} {
			var c collection
			admin(t, env, "GET", "/api/spaces?"+query, "").decode(t, &c)
			got := ""
			for _, s := range c.Items {
				got += s["Id"].(string)
			}
			if got != want {
				t.Errorf("GET /api/spaces?%s: got %q, want %q", query, got, want)
			}
		}
		var c collection
		admin(t, env, "GET", "/api/Spaces-1/teams?partialName="+url.QueryEscape("ÉQUIPE"), "").decode(t, &c)
		if len(c.Items) != 1 || c.Items[0]["Id"] != "Teams-1" {
			t.Errorf("GET /api/Spaces-1/teams?partialName=ÉQUIPE: got %v, want Teams-1", c.Items)
		}
	})
}
