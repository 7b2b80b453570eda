package authing

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request signing (AK/SK) is the authentication Authing's official Node SDK (v4) uses instead of
// a management token. It is implemented as that SDK signs, in github.com/Authing/authing-node-sdk
// src/utils/buildSignature.ts and src/ManagementHttpClient.ts (4.0.2; npm 4.0.1 is the same):
//
//	Authorization: authing <AK>:<base64(HMAC-SHA1(SK, stringToSign))>
//	stringToSign = METHOD + "\n"
//	    + for every header named date or x-authing-*, by name: name + ":" + value + "\n"
//	      (lower-case names; tab, CR, LF and FF in values become spaces; values trimmed)
//	    + the request path, then, if there are any, "?" and the pairs key=value sorted by key
//	      (UTF-16 order) and joined by "&": for GET the query parameters, otherwise the
//	      top-level members of the JSON body; a value is its text, objects and arrays as
//	      JSON.stringify writes them.
//
// The SDK sends x-authing-signature-method HMAC-SHA1, x-authing-signature-version 1.0, a fresh
// x-authing-signature-nonce and date (an HTTP date; Java signs epoch milliseconds there, which
// is accepted too).

// MaxClockSkew is how far the date of a signed request may lie from the emulator's clock
// (apiCode 1305 beyond). A nonce is remembered for as long as its request's date is acceptable.
const MaxClockSkew = 15 * time.Minute

// signatureScheme starts the Authorization header of a signed request.
const signatureScheme = "authing "

// apiCodes of signature failures, all statusCode 401. The reference documents 1300–1306 as
// signature errors and names 1303, 1305 and 1306; the others are this emulator's choice.
const (
	codeBadAuthorization = 1300 // Authorization not "authing <AK>:<signature>", or no nonce
	codeUnknownAccessKey = 1301
	codeBadSignature     = 1302
	codeBadTimestamp     = 1303
	codeBadAlgorithm     = 1304 // signature method other than HMAC-SHA1, version other than 1.0
	codeClockSkew        = 1305
	codeReplayedNonce    = 1306
)

func signatureError(code int, msg string) *apiError {
	return &apiError{status: 401, apiCode: code, msg: msg}
}

// isSigned reports whether r authenticates with a signature rather than a token.
func isSigned(r *http.Request) bool {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	return len(auth) >= len(signatureScheme) && strings.EqualFold(auth[:len(signatureScheme)], signatureScheme)
}

// verifySignature authenticates a signed request whose body is body.
func (s *Server) verifySignature(r *http.Request, body []byte, now time.Time) *apiError {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))[len(signatureScheme):]
	ak, sig, ok := strings.Cut(strings.TrimSpace(auth), ":")
	if !ok || ak == "" || sig == "" {
		return signatureError(codeBadAuthorization, "Authorization 格式错误，应为 authing <AccessKeyId>:<Signature>")
	}
	if ak != s.poolID {
		return signatureError(codeUnknownAccessKey, "AccessKeyId 不存在")
	}
	if m, v := r.Header.Get("x-authing-signature-method"), r.Header.Get("x-authing-signature-version"); m != "HMAC-SHA1" || v != "1.0" {
		return signatureError(codeBadAlgorithm, "不支持的签名方法或版本: "+m+" "+v)
	}
	nonce := strings.TrimSpace(r.Header.Get("x-authing-signature-nonce"))
	if nonce == "" {
		return signatureError(codeBadAuthorization, "缺少 x-authing-signature-nonce")
	}
	at, ok := parseSignedDate(r.Header.Get("date"))
	if !ok {
		return signatureError(codeBadTimestamp, "date 不是合法的时间: "+r.Header.Get("date"))
	}
	if skew := now.Sub(at).Abs(); skew > MaxClockSkew {
		return signatureError(codeClockSkew, "请求时间与服务器时间相差 "+skew.Round(time.Second).String()+"，超过 "+MaxClockSkew.String())
	}
	if !s.signatureMatches(r, body, sig) {
		return signatureError(codeBadSignature, "签名不匹配")
	}
	if !s.useNonce(nonce, at, now) {
		return signatureError(codeReplayedNonce, "x-authing-signature-nonce 已被使用")
	}
	if pool := r.Header.Get("x-authing-userpool-id"); pool != "" && pool != s.poolID {
		return errPoolNotFound()
	}
	return nil
}

// parseSignedDate reads the date header: an HTTP date (the Node SDK's toUTCString) or epoch
// milliseconds (the Java SDK's), epoch seconds for shorter numbers.
func parseSignedDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		if n >= 1e11 {
			return time.UnixMilli(n), true
		}
		return time.Unix(n, 0), true
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// signatureMatches compares sig with the signature of r computed with the pool secret. Without
// any key=value pair the resource may end in "?" or not: the SDK writes "?" when every
// parameter it was given is undefined, which leaves nothing on the wire.
func (s *Server) signatureMatches(r *http.Request, body []byte, sig string) bool {
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	pairs, ok := signedPairs(r, body)
	if !ok {
		return false
	}
	head := r.Method + "\n" + canonicalHeaders(r.Header) + r.URL.Path
	candidates := []string{head + "?" + strings.Join(pairs, "&")}
	if len(pairs) == 0 {
		candidates = []string{head, head + "?"}
	}
	for _, sts := range candidates {
		mac := hmac.New(sha1.New, []byte(s.secret))
		mac.Write([]byte(sts))
		if hmac.Equal(mac.Sum(nil), got) {
			return true
		}
	}
	return false
}

var headerSpace = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ", "\f", " ")

// canonicalHeaders renders the signed headers: date and x-authing-*, by lower-case name.
func canonicalHeaders(h http.Header) string {
	var names []string
	for name := range h {
		if l := strings.ToLower(name); l == "date" || strings.HasPrefix(l, "x-authing-") {
			names = append(names, l)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		value := strings.TrimSpace(headerSpace.Replace(strings.Join(h.Values(name), ", ")))
		b.WriteString(name + ":" + value + "\n")
	}
	return b.String()
}

// signedPairs returns the sorted key=value pairs of the string to sign: the query parameters of
// a GET, the top-level members of any other request's JSON body. An axios array parameter
// (k[]=a&k[]=b) is the SDK's k=["a","b"]. ok is false for a body that is not JSON.
func signedPairs(r *http.Request, body []byte) (pairs []string, ok bool) {
	type pair struct{ key, value string }
	var ps []pair
	if r.Method == http.MethodGet {
		for k, vs := range r.URL.Query() {
			key, list := strings.CutSuffix(k, "[]")
			if !list && len(vs) == 1 {
				ps = append(ps, pair{key, vs[0]})
				continue
			}
			arr := jsValue{kind: jsArray}
			for _, v := range vs {
				arr.items = append(arr.items, jsValue{kind: jsString, str: v})
			}
			ps = append(ps, pair{key, arr.text()})
		}
	} else if len(strings.TrimSpace(string(body))) > 0 {
		v, err := parseJS(body)
		if err != nil {
			return nil, false
		}
		switch v.kind {
		case jsObject:
			for i, k := range v.keys {
				ps = append(ps, pair{k, v.items[i].text()})
			}
		case jsArray: // Object.keys of an array: its indices
			for i, item := range v.items {
				ps = append(ps, pair{strconv.Itoa(i), item.text()})
			}
		}
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return compareUTF16(a.key, b.key) })
	for _, p := range ps {
		pairs = append(pairs, p.key+"="+p.value)
	}
	return pairs, true
}

// useNonce records nonce and reports whether it was unused. A nonce is kept until its request's
// date leaves the accepted window, after which a replay fails the clock check instead.
func (s *Server) useNonce(nonce string, at, now time.Time) bool {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if exp, seen := s.nonces[nonce]; seen && now.Before(exp) {
		return false
	}
	if !now.Before(s.noncePrune) {
		for n, exp := range s.nonces {
			if !now.Before(exp) {
				delete(s.nonces, n)
			}
		}
		s.noncePrune = now.Add(MaxClockSkew)
	}
	s.nonces[nonce] = at.Add(MaxClockSkew)
	return true
}
