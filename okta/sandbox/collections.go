package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
)

// A collection is one kind of object in the org: one bolt bucket, one record per object. Handlers
// change the in-memory state and call st.touch(name, key) for every object they create, change
// or delete; the store then writes exactly those records in the request's transaction.
type collection struct {
	name string
	// ordered collections keep their slice order (creation order) through a sequence number
	// stored in front of each record; keyed ones are maps and need none.
	ordered bool
	// get returns the object stored under key and its position (ordered collections), or
	// ok=false when it no longer exists.
	get func(st *state, key string) (v any, pos int, ok bool)
	// each calls fn for every object, in order.
	each func(st *state, fn func(key string, v any))
	// restore replaces the collection with the decoded records (in order).
	restore func(st *state, recs []storedRecord) error
	// size is how many objects the collection holds.
	size func(st *state) int
}

// storedRecord is one object read back from the store.
type storedRecord struct {
	key   string
	seq   uint64
	value json.RawMessage
}

// Collection names (bucket names).
const (
	colPolicies    = "policies"
	colRules       = "rules"    // key: policy id; value: its rules in priority order
	colMappings    = "mappings" // key: DSC policy id; value: mapped ACCESS_POLICY ids
	colAssurances  = "assurances"
	colIdPs        = "idps"
	colGroups      = "groups"
	colZones       = "zones"
	colLogs        = "logs"
	colApps        = "apps"
	colAppPolicies = "appPolicies" // key: app id; value: the ACCESS_POLICY id it uses
	colUsers       = "users"
	colMemberships = "memberships" // key: user id; value: its group ids (Everyone implied)
)

// collections is every kind of object the store keeps. Adding one is a line here (and a field
// on state, and touch calls in its handlers).
var collections = []*collection{
	objectList(colPolicies, "id", func(st *state) *[]obj { return &st.Policies }),
	keyedMap(colRules, func(st *state) *map[string][]obj { return &st.Rules }),
	keyedMap(colMappings, func(st *state) *map[string][]string { return &st.Mappings }),
	objectList(colAssurances, "id", func(st *state) *[]obj { return &st.DeviceAssurances }),
	objectList(colIdPs, "id", func(st *state) *[]obj { return &st.IdPs }),
	objectList(colGroups, "id", func(st *state) *[]obj { return &st.Groups }),
	objectList(colZones, "id", func(st *state) *[]obj { return &st.Zones }),
	objectList(colLogs, "uuid", func(st *state) *[]obj { return &st.Logs }),
	objectList(colApps, "id", func(st *state) *[]obj { return &st.Apps }),
	keyedMap(colAppPolicies, func(st *state) *map[string]string { return &st.AppPolicies }),
	objectList(colUsers, "id", func(st *state) *[]obj { return &st.Users }),
	keyedMap(colMemberships, func(st *state) *map[string][]string { return &st.Memberships }),
}

func collectionNamed(name string) *collection {
	for _, c := range collections {
		if c.name == name {
			return c
		}
	}
	return nil
}

// objectList is a collection kept as a slice of objects identified by their keyMember.
func objectList(name, keyMember string, field func(st *state) *[]obj) *collection {
	return &collection{
		name:    name,
		ordered: true,
		get: func(st *state, key string) (any, int, bool) {
			if name == colPolicies {
				if i, ok := st.policyIndex[key]; ok && i < len(st.Policies) && str(st.Policies[i]["id"]) == key {
					return st.Policies[i], i, true
				}
			}
			list := *field(st)
			// From the end: new objects are appended, so the objects a write touches are
			// usually the last ones.
			for i := len(list) - 1; i >= 0; i-- {
				if str(list[i][keyMember]) == key {
					return list[i], i, true
				}
			}
			return nil, 0, false
		},
		each: func(st *state, fn func(string, any)) {
			for _, o := range *field(st) {
				fn(str(o[keyMember]), o)
			}
		},
		restore: func(st *state, recs []storedRecord) error {
			slices.SortStableFunc(recs, func(a, b storedRecord) int {
				switch {
				case a.seq < b.seq:
					return -1
				case a.seq > b.seq:
					return 1
				}
				return 0
			})
			list := make([]obj, 0, len(recs))
			for _, r := range recs {
				var o obj
				if err := decodeNumbers(r.value, &o); err != nil || o == nil {
					return fmt.Errorf("%s record %q is not a JSON object", name, r.key)
				}
				if str(o[keyMember]) != r.key {
					return fmt.Errorf("%s record %q holds an object with %s %q", name, r.key, keyMember, str(o[keyMember]))
				}
				list = append(list, o)
			}
			*field(st) = list
			return nil
		},
		size: func(st *state) int { return len(*field(st)) },
	}
}

// keyedMap is a collection kept as a map from a key to a value (a policy's rules, a DSC
// policy's mappings).
func keyedMap[V any](name string, field func(st *state) *map[string]V) *collection {
	return &collection{
		name: name,
		get: func(st *state, key string) (any, int, bool) {
			v, ok := (*field(st))[key]
			return v, 0, ok
		},
		each: func(st *state, fn func(string, any)) {
			m := *field(st)
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				fn(k, m[k])
			}
		},
		restore: func(st *state, recs []storedRecord) error {
			m := make(map[string]V, len(recs))
			*field(st) = m
			for _, r := range recs {
				var v V
				if err := decodeNumbers(r.value, &v); err != nil {
					return fmt.Errorf("%s record %q: %v", name, r.key, err)
				}
				m[r.key] = v
			}
			return nil
		},
		size: func(st *state) int { return len(*field(st)) },
	}
}

// touchKey names one object a write changed.
type touchKey struct{ collection, key string }

// touch marks the object stored under key in the named collection as changed (created,
// replaced, edited or deleted): the write that is running saves it.
func (st *state) touch(collection, key string) {
	if st.touched == nil {
		st.touched = map[touchKey]struct{}{}
	}
	st.touched[touchKey{collection, key}] = struct{}{}
}

// touchAll marks every object of every collection as changed (seeding, migration).
func (st *state) touchAll() { st.touchedAll = true }

// takeTouched returns and forgets what the running write touched.
func (st *state) takeTouched() (keys map[touchKey]struct{}, all bool) {
	keys, all = st.touched, st.touchedAll
	st.touched, st.touchedAll = nil, false
	return keys, all
}

// objectCount is how many objects the org holds (rules and mappings counted one by one).
func (st *state) objectCount() int {
	n := len(st.Policies) + len(st.DeviceAssurances) + len(st.IdPs) + len(st.Groups) + len(st.Zones)
	for _, r := range st.Rules {
		n += len(r)
	}
	for _, m := range st.Mappings {
		n += len(m)
	}
	return n
}
