package okta

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrDurationTooLong is a duration longer than time.Duration holds (about 292 years): it is
// refused, never wrapped around.
var ErrDurationTooLong = errors.New("too long a duration")

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$`)

// ParseISODuration reads an ISO 8601 duration made of weeks, days, hours, minutes and seconds
// ("P30D", "PT720H", "P1W2DT3H", "PT1.5S"), as Okta's grace periods use them. Years and months
// have no fixed length and are refused. It is exact (integer nanoseconds; digits past the ninth
// of a fraction are dropped) and a sum past time.Duration's range is ErrDurationTooLong.
func ParseISODuration(s string) (time.Duration, error) {
	m := isoDurationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration of weeks, days, hours, minutes or seconds (like P30D)", s)
	}
	tooLong := fmt.Errorf("%q: %w", s, ErrDurationTooLong)
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil || n > int64(math.MaxInt64/u) {
			return 0, tooLong
		}
		part := time.Duration(n) * u
		if total > math.MaxInt64-part {
			return 0, tooLong
		}
		total += part
	}
	if frac := m[6]; frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if total > math.MaxInt64-time.Duration(n) {
			return 0, tooLong
		}
		total += time.Duration(n)
	}
	return total, nil
}

// SecondsDuration turns a whole number of seconds from the configuration into a duration;
// name is the setting, for the message. A value past time.Duration's range is an error.
func SecondsDuration(name string, seconds int64) (time.Duration, error) {
	if seconds > int64(math.MaxInt64/time.Second) || seconds < int64(math.MinInt64/time.Second) {
		return 0, fmt.Errorf("%s of %d seconds is %w: use at most %d", name, seconds, ErrDurationTooLong, int64(math.MaxInt64/time.Second))
	}
	return time.Duration(seconds) * time.Second, nil
}
