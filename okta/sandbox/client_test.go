package sandbox_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// The real okta.Client (okta-sdk-golang v5 underneath) in PrivateKey mode gets an access
// token from the sandbox's /oauth2/v1/token and uses it as a Bearer token.
func TestRealClientWithPrivateKeyJWT(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	for name, c := range map[string]struct {
		pub any
		pem string
	}{
		"RSA PKCS#1": {&rsaKey.PublicKey, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))},
		"EC PKCS#8":  {&ecKey.PublicKey, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))},
	} {
		t.Run(name, func(t *testing.T) {
			clientID := "0oaServiceApp" + name[:2]
			srv.AddOAuthClient(clientID, c.pub)
			client, err := okta.New(okta.Config{
				OrgURL: srv.URL(), AuthMode: okta.AuthModePrivateKey, ClientID: clientID,
				PrivateKey: c.pem, Scopes: okta.DefaultScopes, RequestTimeout: 10 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			policies, err := client.ListPolicies(ctx, okta.TypeAccessPolicy)
			if err != nil {
				t.Fatalf("ListPolicies with a private key: %v", err)
			}
			if len(policies) < 4 {
				t.Fatalf("%d policies", len(policies))
			}
			das, err := client.ListDeviceAssurances(ctx)
			if err != nil || len(das) < 2 {
				t.Fatalf("device assurances %v %v", das, err)
			}
		})
	}
	// a key the sandbox does not know is refused
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	client, err := okta.New(okta.Config{
		OrgURL: srv.URL(), AuthMode: okta.AuthModePrivateKey, ClientID: "0oaServiceAppRS",
		PrivateKey:     string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)})),
		Scopes:         okta.DefaultScopes,
		RequestTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListPolicies(context.Background(), okta.TypeAccessPolicy); err == nil {
		t.Fatal("a wrong private key must not get a token")
	}
}
