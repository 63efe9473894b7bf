package http

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/octoinvite/octoinvite"
)

// appendInvitation appends the JSON of inv, byte for byte what encoding/json writes for it
// without HTML escaping (TestAppendInvitationMatchesEncodingJSON holds it to that), in a
// fraction of the time: an invitation is the answer of the hottest route.
func appendInvitation(dst []byte, inv *octoinvite.Invitation) ([]byte, error) {
	var err error
	dst = append(dst, `{"Id":`...)
	dst = appendJSONString(dst, inv.ID)
	dst = append(dst, `,"AddToTeamIds":`...)
	if inv.AddToTeamIDs == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, team := range inv.AddToTeamIDs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, team)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"InvitationCode":`...)
	dst = appendJSONString(dst, inv.InvitationCode)
	dst = append(dst, `,"Expires":`...)
	if dst, err = appendTime(dst, inv.Expires); err != nil {
		return nil, err
	}
	dst = append(dst, `,"SpaceId":`...)
	dst = appendOptionalString(dst, inv.SpaceID)
	dst = append(dst, `,"LastModifiedOn":`...)
	if dst, err = appendTime(dst, inv.LastModifiedOn); err != nil {
		return nil, err
	}
	dst = append(dst, `,"LastModifiedBy":`...)
	dst = appendJSONString(dst, inv.LastModifiedBy)
	if inv.RedeemedOn != nil {
		dst = append(dst, `,"RedeemedOn":`...)
		if dst, err = appendTime(dst, *inv.RedeemedOn); err != nil {
			return nil, err
		}
	}
	if inv.RedeemedBy != nil {
		dst = append(dst, `,"RedeemedBy":`...)
		dst = appendJSONString(dst, *inv.RedeemedBy)
	}
	dst = append(dst, `,"State":`...)
	dst = appendJSONString(dst, inv.State)
	dst = append(dst, `,"MaxUses":`...)
	dst = strconv.AppendInt(dst, int64(inv.MaxUses), 10)
	dst = append(dst, `,"Uses":`...)
	dst = strconv.AppendInt(dst, int64(inv.Uses), 10)
	if inv.RevokedOn != nil {
		dst = append(dst, `,"RevokedOn":`...)
		if dst, err = appendTime(dst, *inv.RevokedOn); err != nil {
			return nil, err
		}
	}
	if inv.RevokedBy != nil {
		dst = append(dst, `,"RevokedBy":`...)
		dst = appendJSONString(dst, *inv.RevokedBy)
	}
	if inv.EmailAddress != "" {
		dst = append(dst, `,"EmailAddress":`...)
		dst = appendJSONString(dst, inv.EmailAddress)
	}
	if inv.Delivery != nil {
		if dst, err = appendDelivery(append(dst, `,"Delivery":`...), inv.Delivery); err != nil {
			return nil, err
		}
	}
	dst = append(dst, `,"Links":`...)
	if inv.Links == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		names := make([]string, 0, len(inv.Links))
		for name := range inv.Links {
			names = append(names, name)
		}
		slices.Sort(names)
		for i, name := range names {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, name)
			dst = append(dst, ':')
			dst = appendJSONString(dst, inv.Links[name])
		}
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// appendDelivery appends the JSON of d, as encoding/json writes it.
func appendDelivery(dst []byte, d *octoinvite.Delivery) ([]byte, error) {
	var err error
	dst = append(dst, `{"State":`...)
	dst = appendJSONString(dst, d.State)
	dst = append(dst, `,"Attempts":`...)
	dst = strconv.AppendInt(dst, int64(d.Attempts), 10)
	for _, t := range []struct {
		name string
		t    *octoinvite.Time
	}{{`,"SentOn":`, d.SentOn}, {`,"LastAttemptOn":`, d.LastAttemptOn}, {`,"NextAttemptOn":`, d.NextAttemptOn}} {
		if t.t != nil {
			if dst, err = appendTime(append(dst, t.name...), *t.t); err != nil {
				return nil, err
			}
		}
	}
	if d.LastError != "" {
		dst = append(dst, `,"LastError":`...)
		dst = appendJSONString(dst, d.LastError)
	}
	dst = append(dst, `,"MessageId":`...)
	dst = appendJSONString(dst, d.MessageID)
	return append(dst, '}'), nil
}

func appendTime(dst []byte, t octoinvite.Time) ([]byte, error) {
	b, err := t.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

func appendOptionalString(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string as encoding/json writes it without HTML escaping:
// quotes, backslashes and control characters escaped, invalid UTF-8 replaced by U+FFFD, and
// U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
