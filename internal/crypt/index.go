package crypt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// Index computes keyed blind indexes of names: HMAC-SHA256 under an index
// key of normalised name tokens, so that search can match an exact token (or
// a token's prefix of three or more letters) without the database holding
// the name. Without the index key the hashes cannot be tested against a list
// of names.
type Index struct{ key []byte }

// NewIndex returns an index over key (32 bytes).
func NewIndex(key []byte) *Index { return &Index{key: append([]byte(nil), key...)} }

// MinPrefix is the shortest prefix of a token that search matches.
const MinPrefix = 3

func (ix *Index) hash(token string) string {
	m := hmac.New(sha256.New, ix.key)
	m.Write([]byte("waymark/search/v1\x00"))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Tokens returns the blind index entries of the given names: for each
// normalised token, the hash of the token and of each of its prefixes of
// MinPrefix runes or more. The result has no duplicates.
func (ix *Index) Tokens(names ...string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		h := ix.hash(t)
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	for _, n := range names {
		for _, tok := range Normalise(n) {
			add(tok)
			r := []rune(tok)
			for i := MinPrefix; i < len(r); i++ {
				add(string(r[:i]))
			}
		}
	}
	return out
}

// Query returns the hashes one search word must all match: one per
// normalised token of the word (a hyphenated word has two).
func (ix *Index) Query(word string) []string {
	var out []string
	for _, tok := range Normalise(word) {
		out = append(out, ix.hash(tok))
	}
	return out
}

// Normalise splits a name into search tokens: lower-cased, accents folded
// (é → e, ß → ss, ø → o), apostrophes dropped (O'Brien → obrien), split on
// spaces, hyphens and any other character that is not a letter or digit.
func Normalise(s string) []string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\'' || r == '\u2019' || r == '\u02bc' || r == '`':
			continue
		case r < 0x80:
			b.WriteRune(unicode.ToLower(r))
		default:
			if f, ok := fold[r]; ok {
				b.WriteString(f)
			} else if unicode.Is(unicode.Mn, r) {
				continue // a combining accent typed on its own
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return strings.FieldsFunc(b.String(), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

var fold = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'ẞ': "ss", 'Æ': "ae", 'æ': "ae", 'Œ': "oe", 'œ': "oe", 'Ø': "o", 'ø': "o",
		'Đ': "d", 'đ': "d", 'Ð': "d", 'ð': "d", 'Ł': "l", 'ł': "l", 'Þ': "th", 'þ': "th", 'ı': "i", 'Ħ': "h", 'ħ': "h"}
	to := []rune(foldTo)
	for i, r := range []rune(foldFrom) {
		m[r] = string(to[i])
	}
	return m
}()

// The Latin letters with diacritics (U+00C0–U+024F, U+1E00–U+1EFF) whose
// canonical decomposition starts with an ASCII letter, and that letter in
// lower case; generated once from Unicode's decompositions.
const foldFrom = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
const foldTo = "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy"
