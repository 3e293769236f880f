package okta

import (
	"context"
	"net/http"
)

// RawCall exposes the client's single request function to the external tests, so they can
// send bodies the typed methods never would (malformed JSON).
func (c *Client) RawCall(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	resp, err := c.call(ctx, method, path, nil, body)
	if err != nil {
		return 0, nil, err
	}
	return resp.status, resp.body, nil
}

// HTTPClient is the SDK configuration's HTTP client the Client sends with.
func (c *Client) HTTPClient() *http.Client { return c.http }

// SDKHTTPClient is GetConfig().HTTPClient of the underlying SDK client.
func (c *Client) SDKHTTPClient() *http.Client { return c.sdk.GetConfig().HTTPClient }
