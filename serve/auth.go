package serve

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// apiKey checks DeepStack's api_key form field or an
// "Authorization: Bearer KEY" header against the server's key.
type apiKey struct {
	sum [sha256.Size]byte // of the key: comparing digests hides its length
	set bool
}

func newAPIKey(key string) apiKey {
	if key == "" {
		return apiKey{}
	}
	return apiKey{sum: sha256.Sum256([]byte(key)), set: true}
}

func (k apiKey) matches(given string) bool {
	s := sha256.Sum256([]byte(given))
	return subtle.ConstantTimeCompare(s[:], k.sum[:]) == 1
}

var errUnauthorized = errorf(http.StatusUnauthorized, "invalid or missing API key")

// bearer is the key of an Authorization: Bearer header ("" without one).
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true // present but not a bearer key: wrong
	}
	return strings.TrimSpace(key), true
}

// checkHeader decides from the headers alone when it can: no key needed,
// or an Authorization header that is right or wrong. decided is false when
// the key may still come in the form.
func (k apiKey) checkHeader(r *http.Request) (decided bool, err error) {
	if !k.set {
		return true, nil
	}
	key, present := bearer(r)
	if !present {
		return false, nil
	}
	if !k.matches(key) {
		return true, errUnauthorized
	}
	return true, nil
}

// checkForm checks the api_key form field once the form is read.
func (k apiKey) checkForm(u *upload) error {
	if k.matches(u.fields["api_key"]) {
		return nil
	}
	return errUnauthorized
}
