package okta

import (
	"regexp"
	"strings"
)

// Redacted is what a secret is replaced with in any text shown to a user.
const Redacted = "[REDACTED]"

// Every error of every command passes through Redact before it is printed, so a secret that
// found its way into a message (an org URL with ?token=..., an Authorization header echoed by a
// proxy, a value quoted by a YAML error) is masked whatever produced it.
var (
	// Authorization schemes; the credential follows.
	authSchemeRE = regexp.MustCompile(`(?i)\b(SSWS|Bearer|DPoP|Basic)\s+`)
	// Query parameters and form fields that carry credentials.
	secretParamRE = regexp.MustCompile(`(?i)\b((?:access_|id_|refresh_|api_?|auth_?)?token|client_assertion|client_secret|assertion|password|passwd|secret|api_?key|private_?key|sig|signature|code)(=|%3D)[^&\s"'<>]*`)
	// Values quoted by YAML decoding errors: "cannot unmarshal !!str `s3cr...` into int32" (the
	// tag and value masked up to " into ", as both may hold anything), and any backquoted value
	// after a tag.
	yamlValueRE     = regexp.MustCompile(`(cannot unmarshal )(?s:.*?)( into )`)
	yamlBareValueRE = regexp.MustCompile("(![^\\s`]* )`[^`]*`")
	// PEM blocks (private keys pasted where something else was expected).
	pemRE = regexp.MustCompile(`-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)`)
)

// Redact masks credentials in text: authorization values, credential query parameters, values
// quoted by YAML errors and PEM blocks. It is the one redaction of the product.
func Redact(text string) string {
	if text == "" {
		return text
	}
	text = pemRE.ReplaceAllString(text, Redacted)
	text = yamlValueRE.ReplaceAllString(text, "${1}"+Redacted+"${2}")
	text = yamlBareValueRE.ReplaceAllString(text, "${1}`"+Redacted+"`")
	text = redactAuthValues(text)
	text = secretParamRE.ReplaceAllString(text, "${1}${2}"+Redacted)
	return text
}

// redactAuthValues masks the credential after each authorization scheme. A scheme followed by
// another ("SSWS Bearer x") leaves the second to mask its own credential.
func redactAuthValues(text string) string {
	locs := authSchemeRE.FindAllStringIndex(text, -1)
	if locs == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for i, loc := range locs {
		end := loc[1]
		for end < len(text) && isCredentialByte(text[end]) {
			end++
		}
		if i+1 < len(locs) && locs[i+1][0] < end {
			continue // the "credential" is the next scheme
		}
		if end == loc[1] || text[loc[1]:end] == Redacted {
			continue
		}
		b.WriteString(text[last:loc[1]])
		b.WriteString(Redacted)
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

func isCredentialByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._~+/=-", c) >= 0
}

// redactExact replaces each known secret (at least 4 characters) in text, then applies Redact.
func redactExact(text string, secrets []string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			text = strings.ReplaceAll(text, s, Redacted)
		}
	}
	return Redact(text)
}
