package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	accessTokenLifetime = time.Hour
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

type bearerToken struct {
	expires time.Time
	scopes  []string
}

type oauthState struct {
	mu      sync.Mutex
	clients map[string]crypto.PublicKey
	tokens  map[string]bearerToken
}

func (o *oauthState) init() {
	o.clients = map[string]crypto.PublicKey{}
	o.tokens = map[string]bearerToken{}
}

func (o *oauthState) addClient(id string, pub crypto.PublicKey) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.clients[id] = pub
}

func (o *oauthState) validBearer(tok string, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	valid := false
	// Compare against every live token in constant time rather than by map lookup.
	for t, b := range o.tokens {
		if now.After(b.expires) {
			delete(o.tokens, t)
			continue
		}
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			valid = true
		}
	}
	return valid
}

func oauthErr(status int, code, desc string) response {
	return jsonResp(status, obj{"error": code, "error_description": desc})
}

// handleToken is the client_credentials grant with private_key_jwt, as the SDK's PrivateKey
// mode sends it (parameters in the query string or the form body). Tokens are plain Bearer.
func (s *Server) handleToken(r *http.Request) response {
	if err := r.ParseForm(); err != nil {
		return oauthErr(http.StatusBadRequest, "invalid_request", "The request could not be read.")
	}
	if r.Form.Get("grant_type") != "client_credentials" {
		return oauthErr(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].")
	}
	if r.Form.Get("client_assertion_type") != clientAssertionType {
		return oauthErr(http.StatusUnauthorized, "invalid_client", "The client_assertion_type must be "+clientAssertionType+".")
	}
	scope := r.Form.Get("scope")
	if strings.TrimSpace(scope) == "" {
		return oauthErr(http.StatusBadRequest, "invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided.")
	}
	now := s.now()
	clientID, err := s.verifyAssertion(r.Form.Get("client_assertion"), now)
	if err != "" {
		return oauthErr(http.StatusUnauthorized, "invalid_client", err)
	}
	tok := randomString(48, idAlphabet)
	s.oauth.mu.Lock()
	s.oauth.tokens[tok] = bearerToken{expires: now.Add(accessTokenLifetime), scopes: strings.Fields(scope)}
	s.oauth.mu.Unlock()
	s.log.Info("sandbox issued an access token", "client_id", clientID)
	return jsonResp(http.StatusOK, obj{
		"token_type": "Bearer", "expires_in": int(accessTokenLifetime.Seconds()),
		"access_token": tok, "scope": scope,
	})
}

// verifyAssertion checks the JWT's signature (RS256 or ES256) with the registered key, and
// its iss/sub, aud and exp. It returns the client id, or a message for the client.
func (s *Server) verifyAssertion(jwt string, now time.Time) (string, string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", "The client_assertion is not a signed JWT."
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp int64           `json:"exp"`
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &claims) != nil {
		return "", "The client_assertion could not be decoded."
	}
	if claims.Iss == "" || claims.Iss != claims.Sub {
		return "", "The client_assertion must have iss and sub set to the client id."
	}
	s.oauth.mu.Lock()
	pub, ok := s.oauth.clients[claims.Iss]
	s.oauth.mu.Unlock()
	if !ok {
		return "", "The client_id is not registered with the sandbox."
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	valid := false
	switch key := pub.(type) {
	case *rsa.PublicKey:
		valid = header.Alg == "RS256" && rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) == nil
	case *ecdsa.PublicKey:
		if header.Alg == "ES256" && len(sig) == 64 {
			rr, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			valid = ecdsa.Verify(key, digest[:], rr, ss)
		}
	}
	if !valid {
		return "", "The client_assertion signature is invalid."
	}
	if !audienceIsTokenEndpoint(claims.Aud) {
		return "", "The audience of the client_assertion must be the token endpoint (.../oauth2/v1/token)."
	}
	if claims.Exp == 0 || now.After(time.Unix(claims.Exp, 0)) {
		return "", "The client_assertion has expired."
	}
	return claims.Iss, ""
}

// audienceIsTokenEndpoint accepts any host: the SDK drops the port of the org URL it signs for.
func audienceIsTokenEndpoint(raw json.RawMessage) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return strings.HasSuffix(one, "/oauth2/v1/token")
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if strings.HasSuffix(a, "/oauth2/v1/token") {
				return true
			}
		}
	}
	return false
}
