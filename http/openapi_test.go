package http_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/internal/servertest"
	"github.com/octoinvite/octoinvite/sqldb"
)

// The OpenAPI document cannot drift from the code: every route the server registers must be in
// it, every operation in it must be served, and the real responses of every operation, for each
// status exercised here, must match it (status, headers, body).

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(ohttp.OpenAPIDocument())
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	return doc
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// routeKey identifies an operation whatever its parameters are named: "GET /api/{}/teams".
func routeKey(method, path string) string {
	return method + " " + pathParam.ReplaceAllString(path, "{}")
}

// documented returns the operations of the document by routeKey, with their path.
func documented(doc *openapi3.T) map[string]string {
	ops := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops[routeKey(method, path)] = path
		}
	}
	return ops
}

func TestOpenAPI_EveryRouteDocumented(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := documented(doc)
	env := servertest.Start(t)
	served := map[string]bool{}
	for _, pattern := range env.API.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			// A prefix handed to another handler whole (the web pages): some operation must
			// document a page under it.
			found := false
			for key := range ops {
				found = found || strings.Contains(key, " "+pattern)
			}
			if !found {
				t.Errorf("the route %q has no page in the OpenAPI document", pattern)
			}
			continue
		}
		path = strings.ReplaceAll(path, "{$}", "")
		key := routeKey(method, path)
		served[key] = true
		if _, ok := ops[key]; !ok {
			t.Errorf("the route %q is not in the OpenAPI document", pattern)
		}
	}
	for key := range ops {
		if !served[key] && !strings.Contains(key, " /app/") {
			t.Errorf("the OpenAPI document has %q, which the server does not serve", key)
		}
	}
}

// apiCase is a real request whose response is validated against the document's operation.
type apiCase struct {
	method, path, docPath string
	key                   string
	body                  string
	status                int
	header                map[string]string
	// badRequest marks a request made to break a rule: the request itself is not validated.
	badRequest bool
	// noRedirect validates a redirect itself rather than where it leads.
	noRedirect bool
}

func TestOpenAPI_ResponsesMatch(t *testing.T) {
	doc := loadOpenAPI(t)
	openapi3filter.RegisterBodyDecoder("text/html", plainText)
	openapi3filter.RegisterBodyDecoder("text/css", plainText)
	openapi3filter.RegisterBodyDecoder("image/svg+xml", plainText)
	env := servertest.Start(t)
	env.DB.Email = &sqldb.EmailSettings{MessageIDDomain: "example.com"}
	_, userKey := env.CreateUser(t, "bob")
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))       // Teams-1
	registration := invite(t, env, nil)                    // Invitations-1
	toAccept := invite(t, env, ptr("Spaces-1"), "Teams-1") // Invitations-2
	a := servertest.AdminKey
	inv, spaceInv := "/api/users/invitations", "/api/{space}/users/invitations"
	cases := []apiCase{
		{method: "GET", path: "/api", docPath: "/api", status: 200},
		{method: "GET", path: "/api/", docPath: "/api/", status: 200},
		{method: "GET", path: "/api/openapi.json", docPath: "/api/openapi.json", status: 200},
		{method: "GET", path: "/healthz", docPath: "/healthz", status: 200},
		{method: "GET", path: "/readyz", docPath: "/readyz", status: 200},
		{method: "GET", path: "/metrics", docPath: "/metrics", key: a, status: 200},
		{method: "GET", path: "/metrics", docPath: "/metrics", key: userKey, status: 403},
		{method: "GET", path: "/metrics", docPath: "/metrics", status: 401},
		// Bob accepts before he joins Teams-1 otherwise.
		{method: "POST", path: inv + "/accept", docPath: inv + "/accept", key: userKey, body: `{"InvitationCode":"` + toAccept.InvitationCode + `"}`, status: 200},
		{method: "POST", path: inv + "/accept", docPath: inv + "/accept", key: userKey, body: `{"InvitationCode":"` + toAccept.InvitationCode + `"}`, status: 400},
		{method: "GET", path: "/api/spaces?take=1", docPath: "/api/spaces", key: a, status: 200},
		{method: "GET", path: "/api/spaces?take=x", docPath: "/api/spaces", key: a, status: 400, badRequest: true},
		{method: "POST", path: "/api/spaces", docPath: "/api/spaces", key: a, body: `{"Name":"Second"}`, status: 201},
		{method: "POST", path: "/api/spaces", docPath: "/api/spaces", key: a, body: `{"Name":"Second"}`, status: 409},
		{method: "POST", path: "/api/spaces", docPath: "/api/spaces", key: a, body: `x=1`, status: 415, badRequest: true,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{method: "GET", path: "/api/spaces/Spaces-1", docPath: "/api/spaces/{id}", key: a, status: 200},
		{method: "GET", path: "/api/spaces/Spaces-9", docPath: "/api/spaces/{id}", key: a, status: 404},
		{method: "GET", path: "/api/spaces?name=default", docPath: "/api/spaces", key: a, status: 200},
		{method: "GET", path: "/api/spaces/all", docPath: "/api/spaces/all", key: a, status: 200},
		{method: "GET", path: "/api/spaces/Spaces-1/logo", docPath: "/api/spaces/{id}/logo", key: a, status: 200},
		{method: "GET", path: "/api/spaces/Spaces-9/logo", docPath: "/api/spaces/{id}/logo", key: a, status: 404},
		{method: "GET", path: "/api/spaces/Spaces-1/search?keyword=dev", docPath: "/api/spaces/{id}/search", key: a, status: 200},
		{method: "GET", path: "/api/spaces/Spaces-9/search", docPath: "/api/spaces/{id}/search", key: a, status: 404},
		{method: "GET", path: "/api/users/Users-1/permissions", docPath: "/api/users/{userId}/permissions", key: a, status: 200},
		{method: "GET", path: "/api/users/Users-1/permissions", docPath: "/api/users/{userId}/permissions", key: userKey, status: 403},
		{method: "GET", path: "/api/users/Users-2/avatar", docPath: "/api/users/{userId}/avatar", key: userKey, status: 200},
		{method: "GET", path: "/api/users/Users-9/avatar", docPath: "/api/users/{userId}/avatar", key: a, status: 404},
		{method: "GET", path: "/api/spaces/all?ids=x%00", docPath: "/api/spaces/all", key: a, status: 400, badRequest: true},
		{method: "PUT", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: a, body: `{"Description":"Second space"}`, status: 200},
		{method: "PUT", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: a, body: `{"Name":"default"}`, status: 409},
		{method: "PUT", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: a, body: `{"Name":""}`, status: 400},
		{method: "PUT", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: userKey, body: `{"Name":"x"}`, status: 403},
		{method: "PUT", path: "/api/spaces/Spaces-9", docPath: "/api/spaces/{id}", key: a, body: `{"Name":"x"}`, status: 404},
		{method: "DELETE", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: a, status: 400},
		{method: "PUT", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: a, body: `{"TaskQueueStopped":true}`, status: 200},
		{method: "DELETE", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: a, status: 200},
		{method: "DELETE", path: "/api/spaces/Spaces-2", docPath: "/api/spaces/{id}", key: a, status: 404},
		{method: "GET", path: "/api/teams", docPath: "/api/teams", key: a, status: 200},
		{method: "GET", path: "/api/teams/all?includeSystem=false", docPath: "/api/teams/all", key: a, status: 200},
		{method: "GET", path: "/api/teams/all?includeSystem=maybe", docPath: "/api/teams/all", key: a, status: 400, badRequest: true},
		{method: "PUT", path: "/api/teams/Teams-1", docPath: "/api/teams/{id}", key: a, body: `{"MemberUserIds":["Users-1","Users-2"]}`, status: 200},
		{method: "PUT", path: "/api/teams/Teams-1", docPath: "/api/teams/{id}", key: a, body: `{"MemberUserIds":["Users-9"]}`, status: 400},
		{method: "PUT", path: "/api/teams/Teams-9", docPath: "/api/teams/{id}", key: a, body: `{"Name":"x"}`, status: 404},
		{method: "DELETE", path: "/api/teams/teams-everyone", docPath: "/api/teams/{id}", key: a, status: 400},
		{method: "GET", path: "/api/teammembership?userId=Users-2&includeSystem=false", docPath: "/api/teammembership", key: a, status: 200},
		{method: "GET", path: "/api/teammembership?userId=Users-9", docPath: "/api/teammembership", key: a, status: 404},
		{method: "GET", path: "/api/users/all", docPath: "/api/users/all", key: a, status: 200},
		{method: "GET", path: "/api/users/all", docPath: "/api/users/all", key: userKey, status: 403},
		{method: "PUT", path: "/api/users/Users-2", docPath: "/api/users/{userId}", key: userKey, body: `{"DisplayName":"Bob B."}`, status: 200},
		{method: "PUT", path: "/api/users/Users-2", docPath: "/api/users/{userId}", key: userKey, body: `{"IsActive":false}`, status: 403},
		{method: "PUT", path: "/api/users/Users-2", docPath: "/api/users/{userId}", key: a, body: `{"EmailAddress":"bob"}`, status: 400},
		{method: "PUT", path: "/api/users/Users-9", docPath: "/api/users/{userId}", key: a, body: `{"DisplayName":"x"}`, status: 404},
		{method: "POST", path: "/api/teams", docPath: "/api/teams", key: a, body: `{"Name":"Operators","SpaceId":"Spaces-1"}`, status: 201},
		{method: "GET", path: "/api/teams/teams-everyone", docPath: "/api/teams/{id}", key: a, status: 200},
		{method: "GET", path: "/api/users", docPath: "/api/users", key: a, status: 200},
		{method: "GET", path: "/api/users", docPath: "/api/users", key: userKey, status: 403},
		{method: "GET", path: "/api/users/me", docPath: "/api/users/me", key: a, status: 200},
		{method: "GET", path: "/api/users/me", docPath: "/api/users/me", key: "API-UNKNOWN000000000000000001", status: 401},
		{method: "GET", path: "/api/users/Users-1", docPath: "/api/users/{userId}", key: a, status: 200},
		{method: "GET", path: "/api/users/Users-1/spaces", docPath: "/api/users/{userId}/spaces", key: a, status: 200},
		{method: "POST", path: "/api/users/Users-1/apikeys", docPath: "/api/users/{userId}/apikeys", key: a, body: `{"Purpose":"laptop"}`, status: 201},
		{method: "GET", path: "/api/users/Users-1/apikeys", docPath: "/api/users/{userId}/apikeys", key: a, status: 200},
		{method: "GET", path: "/api/users/Users-1/apikeys/APIKeys-3", docPath: "/api/users/{userId}/apikeys/{keyId}", key: a, status: 200},
		{method: "DELETE", path: "/api/users/Users-1/apikeys/APIKeys-3", docPath: "/api/users/{userId}/apikeys/{keyId}", key: a, status: 204},
		{method: "PUT", path: "/api/users/Users-2/password", docPath: "/api/users/{userId}/password", key: a, body: `{"Password":"purple elephant umbrella"}`, status: 204},
		{method: "PUT", path: "/api/users/Users-2/password", docPath: "/api/users/{userId}/password", key: a, body: `{"Password":"short"}`, status: 400},
		{method: "PUT", path: "/api/users/Users-1/password", docPath: "/api/users/{userId}/password", key: userKey, body: `{"Password":"purple elephant umbrella"}`, status: 403},
		{method: "GET", path: "/", docPath: "/", status: 303, noRedirect: true},
		{method: "POST", path: inv, docPath: inv, key: a, body: `{"AddToTeamIds":[],"Expires":"0001-01-01T00:00:00.000+00:00","MaxUses":2}`, status: 201},
		{method: "POST", path: inv, docPath: inv, key: a, body: `{"AddToTeamIds":["Teams-9"]}`, status: 400},
		{method: "POST", path: inv, docPath: inv, key: a, body: strings.Repeat(" ", 2<<20), status: 413, badRequest: true},
		{method: "GET", path: inv + "?state=Pending&team=teams-everyone", docPath: inv, key: a, status: 200},
		{method: "GET", path: inv + "/Invitations-3", docPath: inv + "/{id}", key: a, status: 200},
		{method: "POST", path: inv + "/Invitations-3/regenerate", docPath: inv + "/{id}/regenerate", key: a, status: 200},
		{method: "POST", path: inv + "/Invitations-3/regenerate", docPath: inv + "/{id}/regenerate", key: a, body: `{"Expires":"2026-12-01T10:00:00.000+00:00"}`, status: 200},
		{method: "POST", path: inv + "/Invitations-3/regenerate", docPath: inv + "/{id}/regenerate", key: a, body: `{"Expires":"2027-12-01T10:00:00.000+00:00"}`, status: 400},
		{method: "DELETE", path: inv + "/Invitations-3", docPath: inv + "/{id}", key: a, status: 200},
		{method: "DELETE", path: inv + "/Invitations-3", docPath: inv + "/{id}", key: a, status: 200},
		{method: "POST", path: inv + "/Invitations-3/regenerate", docPath: inv + "/{id}/regenerate", key: a, status: 409},
		{method: "DELETE", path: inv + "/Invitations-9", docPath: inv + "/{id}", key: a, status: 404},
		{method: "GET", path: "/api/Spaces-1", docPath: "/api/{space}", key: a, status: 200},
		{method: "GET", path: "/api/Spaces-1/", docPath: "/api/{space}/", key: a, status: 200},
		{method: "GET", path: "/api/Spaces-1/teams", docPath: "/api/{space}/teams", key: a, status: 200},
		{method: "POST", path: "/api/Spaces-1/teams", docPath: "/api/{space}/teams", key: a, body: `{"Name":"Testers"}`, status: 201},
		{method: "GET", path: "/api/Spaces-1/teams/Teams-1", docPath: "/api/{space}/teams/{id}", key: a, status: 200},
		{method: "GET", path: "/api/Spaces-1/teams/all", docPath: "/api/{space}/teams/all", key: a, status: 200},
		{method: "GET", path: "/api/Spaces-9/teams/all", docPath: "/api/{space}/teams/all", key: a, status: 404},
		{method: "PUT", path: "/api/Spaces-1/teams/Teams-1", docPath: "/api/{space}/teams/{id}", key: a, body: `{"Name":"Builders"}`, status: 200},
		{method: "PUT", path: "/api/Spaces-1/teams/Teams-1", docPath: "/api/{space}/teams/{id}", key: a, body: `{"Name":"Testers"}`, status: 409},
		{method: "DELETE", path: "/api/Spaces-1/teams/teams-administrators", docPath: "/api/{space}/teams/{id}", key: a, status: 400},
		{method: "POST", path: "/api/Spaces-1/users/invitations", docPath: spaceInv, key: a, body: `{"AddToTeamIds":["Teams-1"]}`, status: 201},
		{method: "GET", path: "/api/Spaces-1/users/invitations", docPath: spaceInv, key: a, status: 200},
		{method: "GET", path: "/api/Spaces-1/users/invitations/Invitations-4", docPath: spaceInv + "/{id}", key: a, status: 200},
		{method: "POST", path: "/api/Spaces-1/users/invitations/Invitations-4/regenerate", docPath: spaceInv + "/{id}/regenerate", key: a, status: 200},
		{method: "DELETE", path: "/api/Spaces-1/users/invitations/Invitations-4", docPath: spaceInv + "/{id}", key: a, status: 200},
		{method: "GET", path: "/api/Spaces-9/users/invitations", docPath: spaceInv, key: a, status: 404},
		{method: "GET", path: "/app/register?invitation=" + registration.InvitationCode, docPath: "/app/register", status: 200},
		{method: "GET", path: "/app/register?invitation=AAAA", docPath: "/app/register", status: 404},
		{method: "POST", path: "/app/register", docPath: "/app/register", body: "invitation=x", status: 403,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{method: "GET", path: "/app/assets/style.css", docPath: "/app/assets/{file}", status: 200},
		{method: "POST", path: "/api/users/register", docPath: "/api/users/register", body: registerBody("jane", goodPassword, registration.InvitationCode), status: 201},
		{method: "POST", path: "/api/users/register", docPath: "/api/users/register", body: registerBody("john", goodPassword, registration.InvitationCode), status: 400},
		{method: "POST", path: "/api/users/login", docPath: "/api/users/login", body: `{"Username":"jane","Password":"` + goodPassword + `"}`, status: 200},
		{method: "POST", path: "/api/users/login", docPath: "/api/users/login", body: `{"Username":"jane","Password":"wrong password!"}`, status: 401},
		{method: "POST", path: "/api/users/logout", docPath: "/api/users/logout", key: a, status: 204},
		{method: "GET", path: "/api/events?take=5&regarding=Invitations-2", docPath: "/api/events", key: a, status: 200},
		{method: "GET", path: "/api/events?from=yesterday", docPath: "/api/events", key: a, status: 400},
		{method: "GET", path: "/api/events", docPath: "/api/events", key: userKey, status: 403},
		{method: "GET", path: "/api/events/Events-1", docPath: "/api/events/{id}", key: a, status: 200},
		{method: "GET", path: "/api/events/Events-999", docPath: "/api/events/{id}", key: a, status: 404},
		{method: "DELETE", path: "/api/Spaces-1/teams/Teams-1", docPath: "/api/{space}/teams/{id}", key: a, status: 200},
		{method: "DELETE", path: "/api/teams/Teams-2", docPath: "/api/teams/{id}", key: a, status: 200},
		{method: "DELETE", path: "/api/users/Users-1", docPath: "/api/users/{userId}", key: a, status: 400},
		{method: "DELETE", path: "/api/users/Users-2", docPath: "/api/users/{userId}", key: userKey, status: 403},
		{method: "DELETE", path: "/api/users/Users-2", docPath: "/api/users/{userId}", key: a, status: 200},
		{method: "POST", path: inv, docPath: inv, key: a, body: `{"AddToTeamIds":[],"EmailAddress":"jane@example.com"}`, status: 201},
		{method: "POST", path: inv + "/Invitations-5/resend", docPath: inv + "/{id}/resend", key: a, status: 429},
		{method: "POST", path: "/api/Spaces-1/users/invitations/Invitations-4/resend", docPath: spaceInv + "/{id}/resend", key: a, status: 400},
	}
	exercised := map[string]bool{}
	for _, c := range cases {
		t.Run(c.method+" "+c.path[:min(len(c.path), 60)], func(t *testing.T) {
			resp := send(t, env, request{method: c.method, path: c.path, key: c.key, body: c.body, header: c.header, noRedirect: c.noRedirect})
			if resp.status != c.status {
				t.Fatalf("got %d, want %d: %s", resp.status, c.status, resp.body[:min(len(resp.body), 300)])
			}
			validateAgainst(t, doc, c, resp)
			exercised[routeKey(c.method, c.docPath)] = true
		})
	}
	var missing []string
	for key := range documented(doc) {
		if !exercised[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no response validated for %v", missing)
	}
}

// validateAgainst checks the request (unless made to be bad) and the response against the
// document's operation.
func validateAgainst(t *testing.T, doc *openapi3.T, c apiCase, resp response) {
	t.Helper()
	item := doc.Paths.Find(c.docPath)
	if item == nil || item.GetOperation(c.method) == nil {
		t.Fatalf("the document has no %s %s", c.method, c.docPath)
	}
	u, err := url.Parse("http://octoinvite.test" + c.path)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(c.method, u.String(), strings.NewReader(c.body))
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	if c.key != "" {
		req.Header.Set(ohttp.HeaderAPIKey, c.key)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams(c.docPath, u.Path),
		Route:      &routers.Route{Spec: doc, Path: c.docPath, PathItem: item, Method: c.method, Operation: item.GetOperation(c.method)},
		Options:    opts,
	}
	if !c.badRequest && c.status < 500 {
		if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil && c.status < 400 {
			t.Errorf("the request does not match the document: %v", err)
		}
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 resp.status,
		Header:                 resp.header,
		Body:                   io.NopCloser(bytes.NewReader([]byte(resp.body))),
		Options:                opts,
	})
	if err != nil {
		t.Errorf("the response does not match the document: %v", err)
	}
}

// pathParams reads the parameters of a concrete path by the template's segments.
func pathParams(template, path string) map[string]string {
	params := map[string]string{}
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	for i, seg := range ts {
		if strings.HasPrefix(seg, "{") && i < len(ps) {
			params[strings.Trim(seg, "{}")] = ps[i]
		}
	}
	return params
}

func plainText(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}
