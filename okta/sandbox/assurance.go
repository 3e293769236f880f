package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Device assurance event types (Okta's).
const (
	EventAssuranceAdd    = "device.assurance.policy.add"
	EventAssuranceUpdate = "device.assurance.policy.update"
	EventAssuranceDelete = "device.assurance.policy.delete"
)

const assuranceResourceType = "DeviceAssurancePolicyEntity"

var assurancePlatforms = []string{"ANDROID", "CHROMEOS", "IOS", "MACOS", "WINDOWS"}

// assuranceConditions are the members that make a device condition; a policy needs one.
var assuranceConditions = []string{
	"osVersion", "osVersionConstraints", "diskEncryptionType", "screenLockType", "jailbreak",
	"secureHardwarePresent", "thirdPartySignalProviders", "devicePostureChecks",
}

func (st *state) deviceAssurance(id string) obj { return findByID(st.DeviceAssurances, id) }

func (s *Server) routeDeviceAssurances(c *call) (response, error) {
	segs, m := c.segs, c.r.Method
	switch len(segs) {
	case 1:
		switch m {
		case http.MethodGet:
			return s.listAssurances(c)
		case http.MethodPost:
			return s.createAssurance(c)
		}
		return methodNotAllowed("GET", "POST"), nil
	case 2:
		switch m {
		case http.MethodGet:
			return s.getAssurance(c, segs[1])
		case http.MethodPut:
			return s.replaceAssurance(c, segs[1])
		case http.MethodDelete:
			return s.deleteAssurance(c, segs[1])
		}
		return methodNotAllowed("GET", "PUT", "DELETE"), nil
	}
	return notFoundErr(c.r.URL.Path, "Endpoint"), nil
}

func renderAssurance(d obj, base string) obj {
	out := copyObj(d)
	out["_links"] = obj{"self": link(base+"/api/v1/device-assurances/"+str(d["id"]), "GET", "PUT", "DELETE")}
	return out
}

func (s *Server) listAssurances(c *call) (response, error) {
	return s.answer(func(st *state) response {
		out := make([]obj, 0, len(st.DeviceAssurances))
		for _, d := range st.DeviceAssurances {
			out = append(out, renderAssurance(d, c.base))
		}
		return jsonResp(http.StatusOK, out)
	})
}

func (s *Server) getAssurance(c *call, id string) (response, error) {
	return s.answer(func(st *state) response {
		d := st.deviceAssurance(id)
		if d == nil {
			// The entity names differ per method on a real org; these are the recorded ones.
			return notFoundErr(id, "DeviceAssuranceRuleManagerImpl")
		}
		return jsonResp(http.StatusOK, renderAssurance(d, c.base))
	})
}

// assuranceIndex finds a device assurance policy to change; miss is the 404 to answer.
func (st *state) assuranceIndex(id string) (i int, miss *response) {
	i = slices.IndexFunc(st.DeviceAssurances, func(d obj) bool { return str(d["id"]) == id })
	if i < 0 {
		e := notFoundErr(id, "DeviceAssuranceEntity")
		return -1, &e
	}
	return i, nil
}

// setAssuranceResource sets the members that name a device assurance policy as a resource.
func setAssuranceResource(d obj, id string) {
	d["resourceType"] = assuranceResourceType
	d["resourceDisplayName"] = obj{"value": str(d["name"]), "sensitive": false}
	d["resourceId"] = id
}

var readOnlyAssuranceKeys = []string{"id", "createdDate", "createdBy", "lastUpdate", "lastUpdatedBy",
	"resourceType", "resourceDisplayName", "resourceId", "_links"}

func (s *Server) createAssurance(c *call) (response, error) {
	body, bad := readObject(c.r)
	if bad != nil {
		return *bad, nil
	}
	return s.change(func(st *state) (response, bool) {
		if e := validateAssurance(st, body, nil, c.now); e != nil {
			return *e, false
		}
		d := fromBody(body, readOnlyAssuranceKeys)
		plainGraceExpiry(d)
		id := newID("dae")
		ts := oktaTime(c.now)
		d["id"] = id
		d["createdDate"], d["lastUpdate"] = ts, ts
		d["createdBy"], d["lastUpdatedBy"] = st.Admin.ID, st.Admin.ID
		setAssuranceResource(d, id)
		st.DeviceAssurances = append(st.DeviceAssurances, d)
		st.touch(colAssurances, id)
		s.event(st, c, EventAssuranceAdd, "Add device assurance policy", assuranceTarget(d))
		return jsonResp(http.StatusOK, renderAssurance(d, c.base)), true
	})
}

func (s *Server) replaceAssurance(c *call, id string) (response, error) {
	body, bad := readObject(c.r)
	if bad != nil {
		return *bad, nil
	}
	return s.change(func(st *state) (response, bool) {
		i, miss := st.assuranceIndex(id)
		if miss != nil {
			return *miss, false
		}
		old := st.DeviceAssurances[i]
		if e := validateAssurance(st, body, old, c.now); e != nil {
			return *e, false
		}
		d := fromBody(body, readOnlyAssuranceKeys)
		plainGraceExpiry(d)
		d["id"] = id
		d["createdDate"], d["createdBy"] = old["createdDate"], old["createdBy"]
		d["lastUpdate"], d["lastUpdatedBy"] = oktaTime(c.now), st.Admin.ID
		setAssuranceResource(d, id)
		st.DeviceAssurances[i] = d
		st.touch(colAssurances, id)
		s.event(st, c, EventAssuranceUpdate, "Update device assurance policy", assuranceTarget(d))
		noteChanges(st, old, d)
		out := renderAssurance(d, c.base)
		// A real org leaves createdDate/createdBy out of its PUT answer (recorded); GET has them.
		delete(out, "createdDate")
		delete(out, "createdBy")
		return jsonResp(http.StatusOK, out), true
	})
}

func (s *Server) deleteAssurance(c *call, id string) (response, error) {
	return s.change(func(st *state) (response, bool) {
		i, miss := st.assuranceIndex(id)
		if miss != nil {
			return *miss, false
		}
		if user := st.ruleUsingAssurance(id); user != "" {
			return validationErr("id", "Device assurance policy "+id+" is used by policy rule "+user+"; remove it from the rule first."), false
		}
		d := st.DeviceAssurances[i]
		st.DeviceAssurances = slices.Delete(st.DeviceAssurances, i, i+1)
		st.touch(colAssurances, id)
		s.event(st, c, EventAssuranceDelete, "Delete device assurance policy", assuranceTarget(d))
		return noContent(), true
	})
}

// ruleUsingAssurance names a rule whose conditions.device.assurance.include holds id.
func (st *state) ruleUsingAssurance(id string) string {
	for _, rules := range st.Rules {
		for _, r := range rules {
			dev, ok := objAt(r, "conditions", "device", "assurance")
			if !ok {
				continue
			}
			ids, _ := stringList(dev["include"])
			if slices.Contains(ids, id) {
				return str(r["name"]) + " (" + str(r["id"]) + ")"
			}
		}
	}
	return ""
}

func assuranceTarget(d obj) logTarget {
	return logTarget{ID: str(d["id"]), Type: assuranceResourceType, DisplayName: str(d["name"])}
}

var versionPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

// maxVersionComponents: iOS and macOS versions have at most 3 components, Android and Windows 4.
func maxVersionComponents(platform string) int {
	if platform == "IOS" || platform == "MACOS" {
		return 3
	}
	return 4
}

func validateVersion(field, v string, maxParts int) *response {
	if !versionPattern.MatchString(v) {
		return bad(field, fmt.Sprintf("'%s' is not a version such as 14.2.1.", v))
	}
	if n := strings.Count(v, ".") + 1; n > maxParts {
		return bad(field, fmt.Sprintf("The version can have at most %d components (it has %d).", maxParts, n))
	}
	return nil
}

// validateDynamic checks a dynamicVersionRequirement; notAllowedOK admits Windows' NOT_ALLOWED.
func validateDynamic(field string, v any, notAllowedOK bool) *response {
	d, isObj := v.(map[string]any)
	if !isObj {
		return bad(field, "The value must be an object.")
	}
	t, _ := d["type"].(string)
	dist, hasDist := d["distanceFromLatestMajor"]
	hasDist = hasDist && dist != nil
	switch t {
	case "MINIMUM", "EXACT":
		n, ok := intOf(dist)
		if !hasDist || !ok || n < 0 || n > 1 {
			return bad(field+".distanceFromLatestMajor", t+" needs distanceFromLatestMajor 0 or 1.")
		}
	case "EXACT_ANY_SUPPORTED":
		if hasDist {
			return bad(field+".distanceFromLatestMajor", "EXACT_ANY_SUPPORTED does not take distanceFromLatestMajor.")
		}
	case "NOT_ALLOWED":
		if !notAllowedOK {
			return bad(field+".type", "NOT_ALLOWED is only valid in Windows osVersionConstraints.")
		}
		if hasDist || d["latestSecurityPatch"] != nil {
			return bad(field, "NOT_ALLOWED takes neither distanceFromLatestMajor nor latestSecurityPatch.")
		}
	default:
		allowed := "MINIMUM, EXACT or EXACT_ANY_SUPPORTED"
		if notAllowedOK {
			allowed = "MINIMUM, EXACT, EXACT_ANY_SUPPORTED or NOT_ALLOWED"
		}
		return bad(field+".type", fmt.Sprintf("'%v' is not valid; use %s.", d["type"], allowed))
	}
	if v, ok := d["latestSecurityPatch"]; ok && v != nil {
		if _, isBool := v.(bool); !isBool {
			return bad(field+".latestSecurityPatch", "The value must be true or false.")
		}
	}
	return nil
}

// validateVersionRequirement checks an object (osVersion or a Windows osVersionConstraints
// entry, named field) that takes a minimum version or a dynamicVersionRequirement, not both;
// notAllowedOK admits Windows' NOT_ALLOWED. hasMinimum reports a minimum version was given.
func validateVersionRequirement(field string, o obj, maxParts int, notAllowedOK bool) (hasMinimum bool, e *response) {
	minV, hasMin := o["minimum"]
	dyn, hasDyn := o["dynamicVersionRequirement"]
	hasMin, hasDyn = hasMin && minV != nil, hasDyn && dyn != nil
	if hasMin && hasDyn {
		return false, bad(field, "minimum and dynamicVersionRequirement cannot be used together.")
	}
	if hasMin {
		s, isString := minV.(string)
		if !isString {
			return false, bad(field+".minimum", "The value must be a version string.")
		}
		if e := validateVersion(field+".minimum", s, maxParts); e != nil {
			return false, e
		}
	}
	if hasDyn {
		if e := validateDynamic(field+".dynamicVersionRequirement", dyn, notAllowedOK); e != nil {
			return false, e
		}
	}
	return hasMin, nil
}

// validateAssurance applies the rules a real org enforces (SDK-NOTES.md, spec 5.1.0).
func validateAssurance(st *state, o obj, existing obj, now time.Time) *response {
	if e := validateName(o, "name"); e != nil {
		return e
	}
	name := str(o["name"])
	for _, d := range st.DeviceAssurances {
		if str(d["name"]) == name && (existing == nil || str(d["id"]) != str(existing["id"])) {
			return bad("name", "A device assurance policy with this name already exists.")
		}
	}
	platform, _ := o["platform"].(string)
	if !slices.Contains(assurancePlatforms, platform) {
		return bad("platform", fmt.Sprintf("'%v' is not valid; use ANDROID, CHROMEOS, IOS, MACOS or WINDOWS.", o["platform"]))
	}
	if existing != nil && platform != str(existing["platform"]) {
		return bad("platform", "The platform of a device assurance policy cannot be changed.")
	}
	if e := validatePlatformMembers(o, platform); e != nil {
		return e
	}
	hasCondition := false
	for _, k := range assuranceConditions {
		if v, ok := o[k]; ok && v != nil {
			hasCondition = true
		}
	}
	if !hasCondition {
		// Recorded answer of a real org for a policy without conditions.
		e := errResp(http.StatusBadRequest, "E0000001", "Api validation failed: deviceAssuranceMediated",
			"Please select at least one device condition before saving")
		return &e
	}
	hasMinimum := false
	if v, ok := o["osVersion"]; ok && v != nil {
		osv, isObj := v.(map[string]any)
		if !isObj {
			return bad("osVersion", "The value must be an object.")
		}
		hasMin, e := validateVersionRequirement("osVersion", osv, maxVersionComponents(platform), false)
		if e != nil {
			return e
		}
		hasMinimum = hasMin
	}
	if v, ok := o["osVersionConstraints"]; ok && v != nil {
		if hasMinimum {
			return bad("osVersionConstraints", "osVersionConstraints cannot be used with osVersion.minimum.")
		}
		list, isArr := v.([]any)
		if !isArr || len(list) < 1 || len(list) > 2 {
			return bad("osVersionConstraints", "Give one or two constraints, one per Windows major version.")
		}
		seen := map[string]bool{}
		for i, e := range list {
			f := path("osVersionConstraints", i)
			c, isObj := e.(map[string]any)
			if !isObj {
				return bad(f, "Each constraint must be an object.")
			}
			major, _ := c["majorVersionConstraint"].(string)
			if major != "WINDOWS_11" && major != "WINDOWS_10" {
				return bad(f+".majorVersionConstraint", fmt.Sprintf("'%v' is not valid; use WINDOWS_11 or WINDOWS_10.", c["majorVersionConstraint"]))
			}
			if seen[major] {
				return bad(f+".majorVersionConstraint", major+" is constrained more than once.")
			}
			seen[major] = true
			if _, e := validateVersionRequirement(f, c, 4, true); e != nil {
				return e
			}
		}
	}
	for _, c := range []struct {
		k       string
		allowed []string
	}{{"diskEncryptionType", diskEncryptionTypes[platform]}, {"screenLockType", screenLockTypes}} {
		k, allowed := c.k, c.allowed
		if v, ok := o[k]; ok && v != nil {
			m, isObj := v.(map[string]any)
			if !isObj {
				return bad(k, "The value must be an object with an include array.")
			}
			values, isList := stringList(m["include"])
			if !isList {
				return bad(k+".include", "The value must be an array of strings.")
			}
			for i, x := range values {
				if !slices.Contains(allowed, x) {
					return bad(path(k+".include", i), fmt.Sprintf("'%s' is not valid on %s; use %s.", x, platform, strings.Join(allowed, ", ")))
				}
			}
		}
	}
	for _, k := range []string{"jailbreak", "secureHardwarePresent"} {
		if v, ok := o[k]; ok && v != nil {
			if _, isBool := v.(bool); !isBool {
				return bad(k, "The value must be true or false.")
			}
		}
	}
	if v, ok := o["gracePeriod"]; ok && v != nil {
		if e := validateGracePeriod(v, existing, now); e != nil {
			return e
		}
	}
	if v, ok := o["displayRemediationMode"]; ok && v != nil {
		if v != "SHOW" && v != "HIDE" {
			return bad("displayRemediationMode", fmt.Sprintf("'%v' is not valid; use SHOW or HIDE.", v))
		}
	}
	return nil
}

// The members of the 5.1.0 spec's DeviceAssurance<Platform>Platform schemas that only some
// platforms have. One sent on a platform whose schema lacks it is refused; members the spec
// does not name at all are kept, as Okta echoes them.
var (
	assurancePlatformMembers = map[string][]string{
		"ANDROID":  {"diskEncryptionType", "jailbreak", "osVersion", "screenLockType", "secureHardwarePresent", "thirdPartySignalProviders"},
		"CHROMEOS": {"thirdPartySignalProviders"},
		"IOS":      {"jailbreak", "osVersion", "screenLockType", "thirdPartySignalProviders"},
		"MACOS":    {"diskEncryptionType", "osVersion", "screenLockType", "secureHardwarePresent", "thirdPartySignalProviders"},
		"WINDOWS":  {"diskEncryptionType", "osVersion", "osVersionConstraints", "screenLockType", "secureHardwarePresent", "thirdPartySignalProviders"},
	}
	signalProviderMembers = map[string][]string{
		"ANDROID":  {"androidDeviceTrust", "devicePostureIdP"},
		"CHROMEOS": {"dtc", "devicePostureIdP"},
		"IOS":      {"devicePostureIdP"},
		"MACOS":    {"dtc", "devicePostureIdP"},
		"WINDOWS":  {"dtc", "devicePostureIdP"},
	}
	// dtcOwnMembers: members of DTCChromeOS / DTCWindows that the other DTC schemas lack
	// (DTCMacOS has none of its own; the members all three share are not listed).
	dtcOwnMembers = map[string][]string{
		"CHROMEOS": {"allowScreenLock", "managedDevice"},
		"WINDOWS": {"antivirusEnabled", "crowdStrikeAgentId", "crowdStrikeCustomerId", "secureBootEnabled",
			"thirdPartyBlockingEnabled", "windowsMachineDomain", "windowsUserDomain"},
	}
	diskEncryptionTypes = map[string][]string{
		"ANDROID": {"FULL", "USER"}, "MACOS": {"ALL_INTERNAL_VOLUMES"}, "WINDOWS": {"ALL_INTERNAL_VOLUMES"},
	}
	screenLockTypes = []string{"BIOMETRIC", "NONE", "PASSCODE"}
)

// platformsHaving lists the platforms whose member set (per members) contains k.
func platformsHaving(members map[string][]string, k string) []string {
	var out []string
	for _, p := range assurancePlatforms {
		if slices.Contains(members[p], k) {
			out = append(out, p)
		}
	}
	return out
}

// refuseMembersOf refuses the members of o that some platform has but platform lacks.
func refuseMembersOf(o obj, prefix, platform string, members map[string][]string) *response {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if o[k] == nil {
			continue
		}
		has := platformsHaving(members, k)
		if len(has) > 0 && !slices.Contains(has, platform) {
			return bad(prefix+k, fmt.Sprintf("Not supported on %s; only on %s.", platform, strings.Join(has, ", ")))
		}
	}
	return nil
}

// validatePlatformMembers refuses spec members that the policy's platform does not have.
func validatePlatformMembers(o obj, platform string) *response {
	if e := refuseMembersOf(o, "", platform, assurancePlatformMembers); e != nil {
		return e
	}
	v, ok := o["thirdPartySignalProviders"]
	if !ok || v == nil {
		return nil
	}
	tsp, isObj := v.(map[string]any)
	if !isObj {
		return bad("thirdPartySignalProviders", "The value must be an object.")
	}
	if e := refuseMembersOf(tsp, "thirdPartySignalProviders.", platform, signalProviderMembers); e != nil {
		return e
	}
	for _, k := range signalProviderMembers[platform] {
		if _, isObj := tsp[k].(map[string]any); tsp[k] != nil && !isObj {
			return bad("thirdPartySignalProviders."+k, "The value must be an object.")
		}
	}
	if dtc, ok := tsp["dtc"].(map[string]any); ok {
		return refuseMembersOf(dtc, "thirdPartySignalProviders.dtc.", platform, dtcOwnMembers)
	}
	return nil
}

// plainGraceExpiry stores gracePeriod.expiry sent in the spec's object form {"value": "P30D"}
// (as the Python SDK sends it) as the plain string Okta answers.
func plainGraceExpiry(d obj) {
	if g, ok := d["gracePeriod"].(map[string]any); ok {
		if m, isObj := g["expiry"].(map[string]any); isObj {
			g["expiry"] = m["value"]
		}
	}
}

// validateGracePeriod checks a grace period; existing (nil on create) may keep a due date that
// has passed since it was set, but a new due date must be in the future.
func validateGracePeriod(v any, existing obj, now time.Time) *response {
	g, isObj := v.(map[string]any)
	if !isObj {
		return bad("gracePeriod", "The value must be an object with type and expiry.")
	}
	expiry := g["expiry"]
	if m, isObj := expiry.(map[string]any); isObj {
		expiry = m["value"]
	}
	es, _ := expiry.(string)
	switch g["type"] {
	case "BY_DURATION":
		d, err := parseISODuration(es)
		if errors.Is(err, okta.ErrDurationTooLong) {
			return bad("gracePeriod.expiry", "The grace period must be between 1 and 180 days.")
		}
		if err != nil {
			return bad("gracePeriod.expiry", fmt.Sprintf("'%s' is not an ISO-8601 duration such as P30D.", es))
		}
		if d < 24*time.Hour || d > 180*24*time.Hour {
			return bad("gracePeriod.expiry", "The grace period must be between 1 and 180 days.")
		}
	case "BY_DATE_TIME":
		due, err := time.Parse(time.RFC3339, es)
		if err != nil {
			return bad("gracePeriod.expiry", fmt.Sprintf("'%s' is not a date-time such as 2026-01-31T00:00:00Z.", es))
		}
		if !due.After(now) && !sameGraceExpiry(existing, es) {
			return bad("gracePeriod.expiry", fmt.Sprintf("'%s' is in the past; the grace period must end in the future.", es))
		}
	default:
		return bad("gracePeriod.type", fmt.Sprintf("'%v' is not valid; use BY_DURATION or BY_DATE_TIME.", g["type"]))
	}
	return nil
}

// sameGraceExpiry reports whether existing already has expiry as its grace period's end.
func sameGraceExpiry(existing obj, expiry string) bool {
	if existing == nil {
		return false
	}
	g, _ := existing["gracePeriod"].(map[string]any)
	return g != nil && str(g["expiry"]) == expiry
}

var isoDurationPattern = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseISODuration reads the day/time subset of ISO-8601 durations Okta uses (P30D, PT720H,
// P1W, P1DT12H). Years and months are refused: their length is not fixed. A duration too
// long to hold is okta.ErrDurationTooLong, never a wrapped-around value.
func parseISODuration(s string) (time.Duration, error) {
	if !isoDurationPattern.MatchString(s) || s == "P" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("not an ISO-8601 duration: %q", s)
	}
	return okta.ParseISODuration(s)
}
