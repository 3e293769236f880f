package flows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Limits the API puts on the values the wizard asks for.
const (
	MaxNameLength  = 255
	MinGraceDays   = 1
	MaxGraceDays   = 180
	maxIDLength    = 100
	maxVersionPart = 9 // digits in one version component; longer is a typo, not a version
)

// LocalDateTimeLayout is how the wizard shows and reads a local date and time.
const LocalDateTimeLayout = "2006-01-02 15:04"

// ValidationErrors is the error a Plan method returns when its draft does not validate; the UI
// places each FieldError beside its field.
type ValidationErrors []FieldError

func (v ValidationErrors) Error() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// For returns the errors of one field (or of fields under it, "osVersionConstraints" matches
// "osVersionConstraints[1].minimum").
func (v ValidationErrors) For(field string) []FieldError {
	var out []FieldError
	for _, e := range v {
		if e.Field == field || strings.HasPrefix(e.Field, field+".") || strings.HasPrefix(e.Field, field+"[") {
			out = append(out, e)
		}
	}
	return out
}

// fieldErrors collects FieldErrors while a draft is checked.
type fieldErrors []FieldError

func (f *fieldErrors) add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// check runs a field validator and records its message under field.
func (f *fieldErrors) check(field string, err error) {
	if err != nil {
		*f = append(*f, FieldError{Field: field, Msg: err.Error()})
	}
}

// asError turns collected errors into a ValidationErrors error, or nil.
func asError(errs []FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	return ValidationErrors(errs)
}

// ValidateName checks a display name: 1 to 255 characters once trimmed, no control characters.
// field is the label used in the message ("Policy name").
func ValidateName(field string) func(string) error {
	return func(s string) error {
		t := strings.TrimSpace(s)
		if t == "" {
			return fmt.Errorf("%s is required: type a name", field)
		}
		if n := utf8.RuneCountInString(t); n > MaxNameLength {
			return fmt.Errorf("%s is %d characters long: shorten it to %d or fewer", field, n, MaxNameLength)
		}
		if !utf8.ValidString(t) {
			return fmt.Errorf("%s is not valid UTF-8: retype it", field)
		}
		for _, r := range t {
			if unicode.IsControl(r) {
				return fmt.Errorf("%s contains a control character (%U): remove it", field, r)
			}
		}
		return nil
	}
}

// ValidateDescription checks an optional description: at most 1024 characters, no control
// characters other than line breaks and tabs.
func ValidateDescription(field string) func(string) error {
	return func(s string) error {
		if n := utf8.RuneCountInString(s); n > 1024 {
			return fmt.Errorf("%s is %d characters long: shorten it to 1024 or fewer", field, n)
		}
		for _, r := range s {
			if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
				return fmt.Errorf("%s contains a control character (%U): remove it", field, r)
			}
		}
		return nil
	}
}

// ValidateID checks an Okta object id picked or pasted by the user. Ids go into request paths,
// so characters that would change the path are refused.
func ValidateID(field string) func(string) error {
	return func(s string) error {
		if s == "" {
			return fmt.Errorf("%s is required: pick one", field)
		}
		if len(s) > maxIDLength {
			return fmt.Errorf("%s is %d characters long, longer than any Okta id: check it", field, len(s))
		}
		for _, r := range s {
			if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("/?#%{}\"\\", r) {
				return fmt.Errorf("%s %q contains %q, which no Okta id has: pick it from the list", field, s, r)
			}
		}
		return nil
	}
}

// osVersionComponents is the most components a version string may have on a platform (0: the
// platform has no OS version check).
func osVersionComponents(platform string) int {
	switch platform {
	case okta.PlatformIOS, okta.PlatformMacOS:
		return 3
	case okta.PlatformAndroid, okta.PlatformWindows:
		return 4
	}
	return 0
}

// ValidateOSVersion checks a minimum OS version for platform: digits separated by dots, at most
// three components on iOS and macOS, four on Android and Windows. ChromeOS has no OS version
// check, so any value is refused there.
func ValidateOSVersion(platform string) func(string) error {
	return func(s string) error {
		max := osVersionComponents(platform)
		if max == 0 {
			return fmt.Errorf("%s device assurance has no OS version check: leave the version empty", platformLabel(platform))
		}
		example := "14.2.1"
		if max == 4 {
			example = "10.0.19045.2965"
			if platform == okta.PlatformAndroid {
				example = "14.0.0"
			}
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return fmt.Errorf("minimum OS version is required: type a version like %s", example)
		}
		parts := strings.Split(s, ".")
		for _, p := range parts {
			if p == "" {
				return fmt.Errorf("minimum OS version %q has an empty component: use digits separated by single dots, like %s", s, example)
			}
			if len(p) > maxVersionPart {
				return fmt.Errorf("minimum OS version %q has a component of %d digits: check it, like %s", s, len(p), example)
			}
			for _, r := range p {
				if r < '0' || r > '9' {
					return fmt.Errorf("minimum OS version %q contains %q: use only digits and dots, like %s", s, r, example)
				}
			}
		}
		if len(parts) > max {
			return fmt.Errorf("minimum OS version %q has %d components: %s allows at most %d, like %s", s, len(parts), platformLabel(platform), max, example)
		}
		return nil
	}
}

// Windows builds: Windows 11 starts at build 22000 of version 10.0; Windows 10 builds are
// 10240 to 19045 (all five digits, below 22000).
const (
	windows10FirstBuild = 10000
	windows11FirstBuild = 22000
)

// ValidateWindowsMinimum checks a static minimum for one Windows major version: a Windows
// version string whose build (the third component) belongs to that major version, so a
// Windows 10 requirement can't ask for a Windows 11 build that no Windows 10 device has.
func ValidateWindowsMinimum(major string) func(string) error {
	return func(s string) error {
		if err := ValidateOSVersion(okta.PlatformWindows)(s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		parts := strings.Split(s, ".")
		example, label := "10.0.22631.3447", "Windows 11"
		if major == Windows10 {
			example, label = "10.0.19045.2965", "Windows 10"
		}
		if len(parts) < 3 || parts[0] != "10" || parts[1] != "0" {
			return fmt.Errorf("minimum %s version %q is not a %s build: type 10.0.BUILD, like %s", label, s, label, example)
		}
		build, _ := strconv.Atoi(parts[2])
		switch {
		case major == Windows10 && (build < windows10FirstBuild || build >= windows11FirstBuild):
			return fmt.Errorf("build %d is not a Windows 10 build (10.0.1xxxx, below 22000): type one like %s", build, example)
		case major == Windows11 && build < windows11FirstBuild:
			return fmt.Errorf("build %d is older than Windows 11 (10.0.22000 and later): type one like %s, or put it under Windows 10", build, example)
		}
		return nil
	}
}

// ValidateGraceDays checks the typed number of grace days: a whole number from 1 to 180.
func ValidateGraceDays(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("grace period %q is not a whole number of days: type a number from %d to %d", s, MinGraceDays, MaxGraceDays)
	}
	return checkGraceDays(n)
}

func checkGraceDays(n int) error {
	if n < MinGraceDays || n > MaxGraceDays {
		return fmt.Errorf("grace period of %d days is out of range: choose %d to %d days", n, MinGraceDays, MaxGraceDays)
	}
	return nil
}

// ValidatePriority checks a typed rule priority: a whole number of 1 or more.
func ValidatePriority(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return fmt.Errorf("priority %q is not a position: type a whole number, 1 for the first rule", s)
	}
	return nil
}

// checkPriority checks a rule priority as sent: 1 or more (1 is the first rule).
func checkPriority(n int) error {
	if n < 1 {
		return fmt.Errorf("priority %d is not a position: choose 1 or more (1 is the first rule)", n)
	}
	return nil
}

var localDateTimeLayouts = []string{
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
}

// ParseLocalDateTime reads a date and time typed in the user's zone ("2026-12-31 17:00";
// seconds and a "T" separator are accepted too).
func ParseLocalDateTime(text string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return time.Time{}, errors.New("due date is required: type a date and time like 2026-12-31 17:00")
	}
	for _, layout := range localDateTimeLayouts {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return t, nil
		}
	}
	if _, err := time.ParseInLocation("2006-01-02", text, loc); err == nil {
		return time.Time{}, fmt.Errorf("due date %q has no time: add one, like %s 17:00", text, text)
	}
	return time.Time{}, fmt.Errorf("due date %q is not a date and time: type it as YYYY-MM-DD HH:MM, like 2026-12-31 17:00", text)
}

// FormatLocalDateTime shows t in loc the way ParseLocalDateTime reads it.
func FormatLocalDateTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format(LocalDateTimeLayout)
}

// ValidateGraceUntil checks a typed due date: a local date and time (in now's zone) after now.
func ValidateGraceUntil(now time.Time) func(string) error {
	return func(s string) error {
		t, err := ParseLocalDateTime(s, now.Location())
		if err != nil {
			return err
		}
		return checkGraceUntil(t, now)
	}
}

func checkGraceUntil(t, now time.Time) error {
	if t.IsZero() {
		return errors.New("due date is required: type a date and time like 2026-12-31 17:00")
	}
	if !t.After(now) {
		return fmt.Errorf("due date %s is not in the future: choose a later date and time", FormatLocalDateTime(t, now.Location()))
	}
	return nil
}

// oneOf reports whether value is one of allowed.
func oneOf(value string, allowed ...string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	return false
}

// duplicates returns the values that appear more than once, in first-repeat order.
func duplicates(values []string) []string {
	seen := map[string]bool{}
	var dup []string
	for _, v := range values {
		if seen[v] {
			dup = append(dup, v)
		}
		seen[v] = true
	}
	return dup
}

// platformLabel is the name users know a platform by.
func platformLabel(p string) string {
	switch p {
	case okta.PlatformAndroid:
		return "Android"
	case okta.PlatformChromeOS:
		return "ChromeOS"
	case okta.PlatformIOS:
		return "iOS"
	case okta.PlatformMacOS:
		return "macOS"
	case okta.PlatformWindows:
		return "Windows"
	}
	if p == "" {
		return "this platform"
	}
	return p
}
