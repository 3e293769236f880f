package okta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"gopkg.in/yaml.v3"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

const specRelPath = "shared/okta-reference/openapi/okta-management-5.1.0.yaml"

// findSpec walks up from the working directory to a folder holding shared/okta-reference.
func findSpec(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, specRelPath)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("conformance: %s not found in any parent folder of the working directory; the Okta 5.1.0 spec is needed to validate requests", specRelPath)
		}
		dir = parent
	}
}

// loadSpec loads the spec, strictly when it can, relaxing validation otherwise.
func loadSpec(t *testing.T, path string) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		// The 5.1.0 file has schemas whose `required`/`discriminator` are indented under
		// `properties`; move them back to their schema and load again.
		t.Logf("strict load failed (%v); repairing misplaced members", firstLine(err))
		raw, rerr := os.ReadFile(path)
		if rerr != nil {
			t.Fatal(rerr)
		}
		fixed, n, ferr := repairMisplacedSchemaMembers(raw)
		if ferr != nil {
			t.Fatalf("repairing %s: %v", path, ferr)
		}
		t.Logf("moved %d misplaced members out of `properties`", n)
		loader = openapi3.NewLoader()
		if doc, err = loader.LoadFromData(fixed); err != nil {
			t.Fatalf("loading %s even after repair: %v", path, err)
		}
	}
	ctx := context.Background()
	if err := doc.Validate(ctx); err != nil {
		relaxed := []openapi3.ValidationOption{openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation(),
			openapi3.DisableSchemaPatternValidation(), openapi3.AllowExtensionsWithRef()}
		if err2 := doc.Validate(ctx, relaxed...); err2 != nil {
			t.Logf("the spec does not validate even relaxed (%v); validating requests against it anyway", firstLine(err2))
		} else {
			t.Logf("spec validated with relaxed options (strict: %v)", firstLine(err))
		}
	}
	allowPrimitiveFallback(doc)
	return doc
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// repairMisplacedSchemaMembers moves `required` lists and `discriminator` objects that sit
// inside a schema's `properties` (a spec authoring slip) up to the schema itself.
func repairMisplacedSchemaMembers(raw []byte) ([]byte, int, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, 0, err
	}
	moved := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value != "properties" || n.Content[i+1].Kind != yaml.MappingNode {
					continue
				}
				props := n.Content[i+1]
				var keep []*yaml.Node
				for j := 0; j+1 < len(props.Content); j += 2 {
					k, v := props.Content[j], props.Content[j+1]
					misplaced := (k.Value == "required" && v.Kind == yaml.SequenceNode) ||
						(k.Value == "discriminator" && v.Kind == yaml.MappingNode && hasKey(v, "propertyName"))
					if misplaced {
						if !hasKey(n, k.Value) {
							n.Content = append(n.Content, k, v)
						}
						moved++
						continue
					}
					keep = append(keep, k, v)
				}
				props.Content = keep
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	out, err := yaml.Marshal(&root)
	return out, moved, err
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

// lifecycleMarkup is documentation markup that slipped into an enum value of the spec
// ("<x-lifecycle class=\"ea\"></x-lifecycle> DEVICE_SIGNAL_COLLECTION").
var lifecycleMarkup = regexp.MustCompile(`<x-lifecycle[^>]*>\s*</x-lifecycle>\s*`)

// allowPrimitiveFallback honours Okta's x-okta-primitive-fallback extension: such a oneOf of
// {value: ...} objects also accepts the bare primitive (GracePeriod.expiry: "P30D"). It also
// strips lifecycle markup from enum values.
func allowPrimitiveFallback(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walkRef := func(r *openapi3.SchemaRef) {
		if r != nil && r.Value != nil {
			walk(r.Value)
		}
	}
	walk = func(s *openapi3.Schema) {
		if seen[s] {
			return
		}
		seen[s] = true
		for i, e := range s.Enum {
			if str, ok := e.(string); ok && lifecycleMarkup.MatchString(str) {
				s.Enum[i] = lifecycleMarkup.ReplaceAllString(str, "")
			}
		}
		if v, ok := s.Extensions["x-okta-primitive-fallback"]; ok && v == true && len(s.OneOf) > 0 {
			s.OneOf = append(s.OneOf, openapi3.NewSchemaRef("", openapi3.NewStringSchema()))
		}
		for _, p := range s.Properties {
			walkRef(p)
		}
		walkRef(s.Items)
		for _, l := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range l {
				walkRef(r)
			}
		}
		walkRef(s.AdditionalProperties.Schema)
	}
	for _, r := range doc.Components.Schemas {
		walkRef(r)
	}
}

// knownMembers is every property name a schema (with its allOf/oneOf/anyOf) declares.
func knownMembers(s *openapi3.Schema, into map[string]*openapi3.SchemaRef, seen map[*openapi3.Schema]bool) (open bool) {
	if s == nil || seen[s] {
		return false
	}
	seen[s] = true
	for k, v := range s.Properties {
		if _, ok := into[k]; !ok {
			into[k] = v
		}
	}
	if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil {
		open = true
	}
	for _, l := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range l {
			if r.Value != nil && knownMembers(r.Value, into, seen) {
				open = true
			}
		}
	}
	return open
}

// unknownMembers lists the members of v that schema s does not declare, recursively: the spec
// allows extra members, so a typo (allowUserIdentification) would otherwise pass.
func unknownMembers(doc *openapi3.T, s *openapi3.Schema, v any, at string) []string {
	s = resolveDiscriminator(doc, s, v)
	switch x := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.SchemaRef{}
		if open := knownMembers(s, props, map[*openapi3.Schema]bool{}); open || len(props) == 0 {
			return nil
		}
		var out []string
		for k, val := range x {
			p, ok := props[k]
			if !ok {
				out = append(out, at+"/"+k)
				continue
			}
			if p.Value != nil {
				out = append(out, unknownMembers(doc, p.Value, val, at+"/"+k)...)
			}
		}
		return out
	case []any:
		if s.Items == nil || s.Items.Value == nil {
			return nil
		}
		var out []string
		for i, e := range x {
			out = append(out, unknownMembers(doc, s.Items.Value, e, fmt.Sprintf("%s/%d", at, i))...)
		}
		return out
	}
	return nil
}

// resolveDiscriminator picks the mapped schema (Policy -> AccessPolicy, ...) for a value.
func resolveDiscriminator(doc *openapi3.T, s *openapi3.Schema, v any) *openapi3.Schema {
	obj, ok := v.(map[string]any)
	if !ok || s.Discriminator == nil {
		return s
	}
	val, _ := obj[s.Discriminator.PropertyName].(string)
	ref, ok := s.Discriminator.Mapping[val]
	if !ok {
		return s
	}
	name := strings.TrimPrefix(ref.Ref, "#/components/schemas/")
	if m, ok := doc.Components.Schemas[name]; ok && m.Value != nil && m.Value != s {
		return m.Value
	}
	return s
}

func checkAuthorization(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	switch in.SecuritySchemeName {
	case "apiToken":
		if strings.HasPrefix(h, "SSWS ") && len(h) > len("SSWS ") {
			return nil
		}
	case "oauth2":
		if strings.HasPrefix(h, "Bearer ") || strings.HasPrefix(h, "DPoP ") {
			return nil
		}
	}
	return fmt.Errorf("no %s credentials", in.SecuritySchemeName)
}

// conformanceScenario exercises every okta.API method that sends a request.
func conformanceScenario(t *testing.T, c *okta.Client) {
	ctx := testCtx(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().Add(-time.Minute)
	groups, err := c.ListGroups(ctx)
	must(err)
	zones, err := c.ListNetworkZones(ctx)
	must(err)
	idps, err := c.ListIdentityProviders(ctx)
	must(err)

	var das []*okta.DeviceAssurance
	for _, platform := range okta.Platforms {
		d, err := c.CreateDeviceAssurance(ctx, daFor(platform, "Conformance "+platform))
		must(err)
		das = append(das, d)
	}
	got, err := c.GetDeviceAssurance(ctx, das[4].ID)
	must(err)
	got.DisplayRemediationMode = "HIDE"
	_, err = c.ReplaceDeviceAssurance(ctx, *got)
	must(err)
	_, err = c.ListDeviceAssurances(ctx)
	must(err)

	app, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Conformance app", Description: "d"}, false)
	must(err)
	dsc, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: "Conformance DSC"}, true)
	must(err)
	_, err = c.ListPolicies(ctx, okta.TypeAccessPolicy)
	must(err)
	_, err = c.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	must(err)
	p, err := c.GetPolicy(ctx, app.ID)
	must(err)
	p.Description = "changed"
	_, err = c.ReplacePolicy(ctx, *p)
	must(err)
	must(c.ActivatePolicy(ctx, app.ID))
	must(c.DeactivatePolicy(ctx, app.ID))

	appRule, err := c.CreateRule(ctx, app.ID, okta.Rule{
		Type: okta.TypeAccessPolicy, Name: "Conformance rule", Priority: ptr(0),
		Conditions: &okta.RuleConditions{
			People:   &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{groups[0].ID}}},
			Device:   &okta.DeviceCondition{Registered: ptr(true), Managed: ptr(true), Assurance: &okta.AssuranceIDList{Include: []string{das[0].ID, das[3].ID}}},
			Network:  &okta.NetworkCondition{Connection: "ZONE", Include: []string{zones[0].ID}},
			Platform: &okta.PlatformCondition{Include: []okta.PlatformEntry{{Type: "DESKTOP", OS: &okta.PlatformOS{Type: "OSX"}}}},
		},
		Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}},
	}, false)
	must(err)
	dscRule, err := c.CreateRule(ctx, dsc.ID, okta.Rule{
		Type: okta.TypeDeviceSignalCollection, Name: "Conformance collect",
		Actions: &okta.RuleActions{DeviceSignalCollection: &okta.DeviceSignalCollectionAction{DeviceContextProviders: []okta.DeviceContextProvider{
			{Key: okta.ProviderOktaVerify, UserIdentification: "IGNORE"},
			{Key: okta.ProviderDevicePostureIdP, ID: idps[0].ID},
		}}},
	}, true)
	must(err)
	_, err = c.ListRules(ctx, app.ID)
	must(err)
	r, err := c.GetRule(ctx, app.ID, appRule.ID)
	must(err)
	r.Name = "Conformance rule renamed"
	_, err = c.ReplaceRule(ctx, app.ID, *r)
	must(err)
	must(c.ActivateRule(ctx, app.ID, appRule.ID))
	must(c.DeactivateRule(ctx, app.ID, appRule.ID))

	m, err := c.MapResource(ctx, dsc.ID, okta.MappingRequest{ResourceID: app.ID, ResourceType: "ACCESS_POLICY"})
	must(err)
	_, err = c.ListMappings(ctx, dsc.ID)
	must(err)
	must(c.DeleteMapping(ctx, dsc.ID, m.ID))

	_, err = c.QueryLogs(ctx, okta.LogQuery{Filter: `eventType eq "device.assurance.policy.add"`, Since: start, Until: time.Now().Add(time.Minute), Limit: 2})
	must(err)

	must(c.DeleteRule(ctx, dsc.ID, dscRule.ID))
	must(c.DeleteRule(ctx, app.ID, appRule.ID))
	must(c.DeletePolicy(ctx, dsc.ID))
	must(c.DeletePolicy(ctx, app.ID))
	for _, d := range das {
		must(c.DeleteDeviceAssurance(ctx, d.ID))
	}
}

// Every request the client sends in the scenario validates against the 5.1.0 spec: route,
// parameters, security, and body (with the discriminator's schema, and no undeclared member).
func TestConformanceRequestsMatchSpec(t *testing.T) {
	doc := loadSpec(t, findSpec(t))
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	conformanceScenario(t, c)

	doc.Servers = openapi3.Servers{{URL: srv.URL()}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	// The spec's defaults are prose ("Last / Lowest Priority"), not values: never inject them.
	opts := &openapi3filter.Options{AuthenticationFunc: checkAuthorization, MultiError: true, SkipSettingDefaults: true}
	seenOps := map[string]bool{}
	reqs := rec.all()
	if len(reqs) < 40 {
		t.Fatalf("scenario sent only %d requests", len(reqs))
	}
	for _, cr := range reqs {
		req, err := http.NewRequest(cr.Method, cr.URL, bytes.NewReader(cr.Body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = cr.Header.Clone()
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s %s: not an operation of the spec: %v", cr.Method, cr.Path, err)
			continue
		}
		seenOps[route.Operation.OperationID] = true
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s %s body %s:\n%v", cr.Method, cr.URL, cr.Body, err)
			continue
		}
		checkBodyMembers(t, doc, route, cr)
	}
	var ops []string
	for op := range seenOps {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	t.Logf("validated %d requests over %d operations: %s", len(reqs), len(ops), strings.Join(ops, ", "))
	for _, want := range []string{"createPolicy", "replacePolicy", "createPolicyRule", "replacePolicyRule", "mapResourceToPolicy",
		"createDeviceAssurancePolicy", "replaceDeviceAssurancePolicy", "listLogEvents", "activatePolicy", "deactivatePolicyRule",
		"deletePolicyResourceMapping", "deleteDeviceAssurancePolicy", "listIdentityProviders", "listGroups", "listNetworkZones"} {
		if !seenOps[want] {
			t.Errorf("operation %s was not exercised", want)
		}
	}
}

// checkBodyMembers validates a JSON body against the discriminator-mapped schema and reports
// members the spec does not declare.
func checkBodyMembers(t *testing.T, doc *openapi3.T, route *routers.Route, cr capturedRequest) {
	t.Helper()
	if len(cr.Body) == 0 || route.Operation.RequestBody == nil || route.Operation.RequestBody.Value == nil {
		return
	}
	mt := route.Operation.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return
	}
	var v any
	if err := json.Unmarshal(cr.Body, &v); err != nil {
		t.Errorf("%s %s: body is not JSON: %v", cr.Method, cr.Path, err)
		return
	}
	specific := resolveDiscriminator(doc, mt.Schema.Value, v)
	if err := specific.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
		var me openapi3.MultiError
		if !errors.As(err, &me) || len(me) > 0 {
			t.Errorf("%s %s: body does not match %s: %v\n%s", cr.Method, cr.Path, specific.Title, err, cr.Body)
		}
	}
	if unknown := unknownMembers(doc, mt.Schema.Value, v, ""); len(unknown) > 0 {
		t.Errorf("%s %s: members not in the spec: %v\n%s", cr.Method, cr.Path, unknown, cr.Body)
	}
}

// The member check itself must catch a guide's typo, or it proves nothing.
func TestConformanceCatchesUndeclaredMembers(t *testing.T) {
	doc := loadSpec(t, findSpec(t))
	rule := doc.Components.Schemas["DeviceSignalCollectionPolicyRule"]
	if rule == nil {
		t.Fatal("spec lacks DeviceSignalCollectionPolicyRule")
	}
	bad := map[string]any{"type": "DEVICE_SIGNAL_COLLECTION", "name": "x", "actions": map[string]any{"deviceSignalCollection": map[string]any{
		"deviceContextProviders": []any{map[string]any{"key": "OKTA_VERIFY", "allowUserIdentification": "ALLOW"}}}}}
	if u := unknownMembers(doc, rule.Value, bad, ""); len(u) != 1 || !strings.HasSuffix(u[0], "allowUserIdentification") {
		t.Fatalf("the typo allowUserIdentification was not caught: %v", u)
	}
	good := map[string]any{"type": "DEVICE_SIGNAL_COLLECTION", "name": "x", "actions": map[string]any{"deviceSignalCollection": map[string]any{
		"deviceContextProviders": []any{map[string]any{"key": "OKTA_VERIFY", "userIdentification": "ALLOW"}}}}}
	if u := unknownMembers(doc, rule.Value, good, ""); len(u) != 0 {
		t.Fatalf("a correct rule reported unknown members: %v", u)
	}
}
