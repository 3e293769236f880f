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
	// Authorization schemes followed by their credential.
	authValueRE = regexp.MustCompile(`(?i)\b(SSWS|Bearer|DPoP|Basic)(\s+)[A-Za-z0-9._~+/=-]+`)
	// Query parameters and form fields that carry credentials.
	secretParamRE = regexp.MustCompile(`(?i)\b((?:access_|id_|refresh_|api_?|auth_?)?token|client_assertion|client_secret|assertion|password|passwd|secret|api_?key|private_?key|sig|signature|code)(=|%3D)[^&\s"'<>]*`)
	// Values quoted by YAML decoding errors: "cannot unmarshal !!str `s3cr...` into int32".
	yamlValueRE = regexp.MustCompile("(!![a-z]+ )`[^`]*`")
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
	text = authValueRE.ReplaceAllString(text, "${1}${2}"+Redacted)
	text = secretParamRE.ReplaceAllString(text, "${1}${2}"+Redacted)
	text = yamlValueRE.ReplaceAllString(text, "${1}`"+Redacted+"`")
	return text
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
