package keystore

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
)

// On-disk entry formats. Both start with a 4-byte magic and a version byte so
// that a future format can be told apart, and both bind the entry's tier and
// name (its label, e.g. "secrets/abc") so that a file moved to another name
// is detected rather than served as someone else's credential.
//
//	plain:  "AADP" 0x01 fnv32a(label 0x00 data)[4] data
//	sealed: "AADS" 0x01 keyID[8] nonce[12] AES-256-GCM(data, aad = header || label)
const (
	plainMagic    = "AADP"
	sealedMagic   = "AADS"
	formatVersion = 1

	plainHeaderLen  = 4 + 1 + 4
	sealedHeaderLen = 4 + 1 + keyIDLen + nonceLen
	nonceLen        = 12
	tagLen          = 16

	// maxEntrySize bounds what Write accepts and so what Read believes; tokens
	// are a few kilobytes.
	maxEntrySize = 1 << 20
	// maxFileSize is the largest file an entry can produce.
	maxFileSize = sealedHeaderLen + maxEntrySize + tagLen
)

// errOtherKey marks a sealed entry whose key ID is not the current data key's.
var errOtherKey = errors.New("sealed with a different data key")

// isSealed reports whether raw looks like a sealed entry, so that Read knows
// whether it needs the data key before it checks anything else.
func isSealed(raw []byte) bool {
	return bytes.HasPrefix(raw, []byte(sealedMagic))
}

// newerFormat reports an entry that a newer aadcred wrote: either magic, and a
// version above the one this aadcred writes. It is left alone, not discarded.
func newerFormat(raw []byte) error {
	if len(raw) <= 4 || !bytes.HasPrefix(raw, []byte(plainMagic)) && !bytes.HasPrefix(raw, []byte(sealedMagic)) {
		return nil
	}
	if v := raw[4]; v > formatVersion {
		return fmt.Errorf("%w (format version %d; this aadcred reads version %d)", ErrNewerFormat, v, formatVersion)
	}
	return nil
}

// checkHeader verifies the magic and version shared by both formats.
func checkHeader(raw []byte, magic string, headerLen int) error {
	switch {
	case len(raw) == 0:
		return errors.New("empty file")
	case len(raw) <= len(magic) && bytes.HasPrefix([]byte(magic), raw):
		return errors.New("truncated")
	case !bytes.HasPrefix(raw, []byte(magic)):
		return errors.New("not an entry written by aadcred")
	}
	if v := raw[len(magic)]; v != formatVersion {
		return fmt.Errorf("format version %d, this aadcred reads version %d", v, formatVersion)
	}
	if len(raw) < headerLen {
		return errors.New("truncated")
	}
	return nil
}

// plainChecksum is FNV-1a over the label, a zero byte and the data. FNV needs no tables, so the
// hot path (every cached-token answer verifies one) pays nothing to set it up, where CRC-32C
// would build its tables in every process.
func plainChecksum(label string, data []byte) uint32 {
	h := fnv.New32a()
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write(data)
	return h.Sum32()
}

// encodePlain frames data for the access-token tier. The checksum catches
// truncation and bit rot; it is not a defence against someone who can write
// the file, which the directory permissions are.
func encodePlain(label string, data []byte) []byte {
	out := make([]byte, plainHeaderLen, plainHeaderLen+len(data))
	copy(out, plainMagic)
	out[4] = formatVersion
	binary.BigEndian.PutUint32(out[5:9], plainChecksum(label, data))
	return append(out, data...)
}

// decodePlain returns the data inside a plain entry. The result aliases raw.
func decodePlain(label string, raw []byte) ([]byte, error) {
	if err := checkHeader(raw, plainMagic, plainHeaderLen); err != nil {
		return nil, err
	}
	data := raw[plainHeaderLen:]
	if binary.BigEndian.Uint32(raw[5:9]) != plainChecksum(label, data) {
		return nil, errors.New("checksum mismatch (truncated, damaged, or moved from another name)")
	}
	return data, nil
}

// seal encrypts data under k with a fresh random nonce.
func seal(k *dataKey, label string, data []byte) ([]byte, error) {
	out := make([]byte, sealedHeaderLen, sealedHeaderLen+len(data)+tagLen)
	copy(out, sealedMagic)
	out[4] = formatVersion
	copy(out[5:5+keyIDLen], k.id[:])
	if _, err := rand.Read(out[5+keyIDLen : sealedHeaderLen]); err != nil {
		return nil, fmt.Errorf("making a nonce: %w", err)
	}
	header := out[:sealedHeaderLen]
	nonce := header[5+keyIDLen:]
	return k.aead.Seal(out, nonce, data, additionalData(header, label)), nil
}

// unseal decrypts a sealed entry. It returns errOtherKey when the entry names
// a different data key, so the caller can say why it cannot be read.
func unseal(k *dataKey, label string, raw []byte) ([]byte, error) {
	if err := checkHeader(raw, sealedMagic, sealedHeaderLen+tagLen); err != nil {
		return nil, err
	}
	header := raw[:sealedHeaderLen]
	if !bytes.Equal(header[5:5+keyIDLen], k.id[:]) {
		return nil, errOtherKey
	}
	nonce := header[5+keyIDLen:]
	data, err := k.aead.Open(nil, nonce, raw[sealedHeaderLen:], additionalData(header, label))
	if err != nil {
		return nil, errors.New("does not decrypt (truncated, damaged, or moved from another name)")
	}
	return data, nil
}

func additionalData(header []byte, label string) []byte {
	ad := make([]byte, 0, len(header)+len(label))
	ad = append(ad, header...)
	return append(ad, label...)
}
