package codec

import (
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// codecs returns the payload codecs in the order converter.NewCodecDataConverter and
// converter.NewPayloadCodecHTTPHandler expect: [AES-GCM, zlib].
//
// Codecs encode last-to-first and decode first-to-last, so a payload is compressed (zlib, only
// when that makes it smaller) and then encrypted; decoding decrypts and then decompresses.
// Compressing after encryption would gain nothing, since ciphertext does not compress. The
// ciphertext length therefore hints at how compressible a payload was; that is accepted here.
func codecs(k *Keyring) []converter.PayloadCodec {
	return []converter.PayloadCodec{
		NewCodec(k),
		converter.NewZlibCodec(converter.ZlibCodecOptions{}),
	}
}

// DataConverter returns the default data converter wrapped with zlib and AES-GCM (see codecs).
// Use it as client.Options.DataConverter on every client and worker, and in tests and
// replayers.
func DataConverter(k *Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codecs(k)...)
}

// FailureConverter returns a failure converter that moves failure messages and stack traces into
// encoded (so encrypted) attributes. Use it as client.Options.FailureConverter next to
// DataConverter; without it, error strings are stored in history in plaintext.
func FailureConverter(k *Keyring) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          DataConverter(k),
		EncodeCommonAttributes: true,
	})
}
