package match

import "strings"

// nysiis is the New York State Identification and Intelligence System
// phonetic code of one word (Taft, 1970), written here from the published
// description of the algorithm. It gives the same code to names that sound
// alike when written down by ear: Catherine and Kathryn, Schmidt and Smith.
// Words that are not in the Latin alphabet are returned as they are.
func nysiis(word string) string {
	w := []byte(strings.ToUpper(word))
	// keep letters only
	n := 0
	for _, c := range w {
		if c >= 'A' && c <= 'Z' {
			w[n] = c
			n++
		}
	}
	w = w[:n]
	if n == 0 {
		return word
	}
	has := func(prefix string) bool { return strings.HasPrefix(string(w), prefix) }
	switch {
	case has("MAC"):
		w = append([]byte("MCC"), w[3:]...)
	case has("KN"):
		w = append([]byte("NN"), w[2:]...)
	case has("K"):
		w[0] = 'C'
	case has("PH"), has("PF"):
		w = append([]byte("FF"), w[2:]...)
	case has("SCH"):
		w = append([]byte("SSS"), w[3:]...)
	}
	ends := func(suffix string) bool { return strings.HasSuffix(string(w), suffix) }
	switch {
	case ends("EE"), ends("IE"):
		w = append(w[:len(w)-2], 'Y')
	case ends("DT"), ends("RT"), ends("RD"), ends("NT"), ends("ND"):
		w = append(w[:len(w)-2], 'D')
	}
	// Y after the first letter is taken as a vowel, so Smith and Smyth agree
	vowel := func(c byte) bool { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y' }
	key := []byte{w[0]}
	for i := 1; i < len(w); i++ {
		c := w[i]
		var add []byte
		switch {
		case c == 'E' && i+1 < len(w) && w[i+1] == 'V':
			add = []byte("AF")
			i++
		case vowel(c):
			add = []byte{'A'}
		case c == 'Q':
			add = []byte{'G'}
		case c == 'Z':
			add = []byte{'S'}
		case c == 'M':
			add = []byte{'N'}
		case c == 'K' && i+1 < len(w) && w[i+1] == 'N':
			add = []byte{'N'}
		case c == 'K':
			add = []byte{'C'}
		case c == 'S' && i+2 < len(w) && w[i+1] == 'C' && w[i+2] == 'H':
			add = []byte("SSS")
			i += 2
		case c == 'P' && i+1 < len(w) && w[i+1] == 'H':
			add = []byte("FF")
			i++
		case c == 'H' && (!vowel(w[i-1]) || (i+1 < len(w) && !vowel(w[i+1])) || i+1 == len(w)):
			add = []byte{w[i-1]}
		case c == 'W' && vowel(w[i-1]):
			add = []byte{w[i-1]}
		default:
			add = []byte{c}
		}
		for _, a := range add {
			if key[len(key)-1] != a {
				key = append(key, a)
			}
		}
	}
	if len(key) > 1 && key[len(key)-1] == 'S' {
		key = key[:len(key)-1]
	}
	if len(key) > 1 && key[len(key)-1] == 'A' {
		key = key[:len(key)-1]
	}
	if len(key) > 8 {
		key = key[:8]
	}
	return string(key)
}
