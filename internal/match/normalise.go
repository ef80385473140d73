package match

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// stripMarks takes accents and other combining marks off letters, so that
// Nguyễn and Nguyen, or Müller and Muller, are written alike (§4.8: names
// are written down by whoever meets the child, often without the accents).
var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// letterFolds are letters that carry no combining mark but are written
// without it in English records.
var letterFolds = strings.NewReplacer(
	"ß", "ss", "ø", "o", "đ", "d", "ð", "d", "ł", "l", "æ", "ae", "œ", "oe",
	"þ", "th", "ı", "i", "ħ", "h",
)

// fold is a value as compared: lower case, without accents, with every
// run of characters that are neither letters nor digits made one space.
func fold(s string) string {
	if s == "" {
		return ""
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		if t, _, err := transform.String(stripMarks, s); err == nil {
			s = t
		}
		s = letterFolds.Replace(strings.ToLower(s))
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			space = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + ('a' - 'A'))
			space = false
		case r == '\'' || r == '’':
			// O'Brien and OBrien are the same name
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// nameTokens are the words of a name, folded, with each common
// romanisation variant written in one way (Mohamed and Muhammad alike).
func nameTokens(s string) []string {
	toks := strings.Fields(fold(s))
	for i, t := range toks {
		if c, ok := romanisations[t]; ok {
			toks[i] = c
		}
	}
	return toks
}

// romanisations maps each spelling of a name that is written in another
// script, or transliterated differently by each agency, to one of them.
// It is a short list of the names most often met in this work; the
// phonetic code and the string distances catch the rest.
var romanisations = func() map[string]string {
	groups := [][]string{
		{"muhammad", "mohammed", "mohamed", "mohammad", "muhammed", "mohamad", "muhamed", "mohammod", "mohamud", "mohd", "muhamad", "mahomed", "mehmet", "mehmed"},
		{"ahmed", "ahmad", "ahmet", "ahmadi"},
		{"nguyen", "nguyên", "ngyuen", "nguen", "nguyn"},
		{"hussein", "hussain", "husain", "hosein", "hossain", "husein", "hussien", "hossein"},
		{"yusuf", "yousef", "youssef", "yusef", "yousif", "yousuf", "yussuf"},
		{"abdul", "abdel", "abdoul", "abdal"},
		{"abdullah", "abdallah", "abdulla", "abdalla"},
		{"omar", "umar", "omer"},
		{"osman", "usman", "othman", "uthman"},
		{"ibrahim", "ebrahim", "ibraheem", "ibrahima"},
		{"mustafa", "mostafa", "moustafa", "mustapha"},
		{"hassan", "hasan", "hasson"},
		{"hamid", "hamed"},
		{"khalid", "khaled"},
		{"mahmoud", "mahmud", "mahmood"},
		{"ali", "aly"},
		{"fatima", "fatma", "fatimah", "fatuma"},
		{"aisha", "aysha", "ayesha", "aishah", "aicha"},
		{"maryam", "mariam", "miriam", "meryem"},
		{"zainab", "zaynab", "zeynep"},
		{"tesfay", "tesfaye", "tesfai"},
		{"gebre", "ghebre", "gebray", "ghebray"},
		{"haile", "hailie", "hayle"},
		{"aleksandr", "alexander", "oleksandr", "aleksander", "alexandr"},
		{"sergei", "sergey", "serhiy", "serhii"},
		{"yuri", "yuriy", "iurii", "yury"},
		{"andrei", "andrey", "andriy", "andrii"},
		{"dmitri", "dmitry", "dmytro"},
		{"ion", "ioan"},
		{"gheorghe", "george", "georgi"},
	}
	m := map[string]string{}
	for _, g := range groups {
		for _, v := range g {
			m[fold(v)] = g[0]
		}
	}
	return m
}()
