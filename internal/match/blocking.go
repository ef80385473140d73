package match

import (
	"fmt"
	"sort"
	"strconv"
)

// maxBlockingKeys bounds the keys of one person, so that the keyed hashes
// the case system stores stay few and each one selective.
const maxBlockingKeys = 12

// BlockingKeys are the keys a record is filed under, so that a new record
// is compared only with records that share at least one key. They are
// plaintext here; the case system stores them only as keyed hashes.
//
// Each key joins two details, so that no key alone is shared by many
// children, and each is written so that the errors met in this work still
// share one: the name key is the same whichever name is written first,
// the date key is the same with the day and month swapped, and every alias
// has its own name key (§4.8, §5.1).
func BlockingKeys(p Person) []string {
	r := prepare(&p)
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if len(out) < maxBlockingKeys && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	year := ""
	if r.dob.ok() {
		year = strconv.Itoa(r.dob.y)
	}
	// the recorded name first, then its date, then the aliases
	if len(r.names) > 0 && !r.names[0].alias {
		add(nameKey(&r.names[0], year))
	}
	if r.dob.ok() {
		lo, hi := min(r.dob.m, r.dob.d), max(r.dob.m, r.dob.d)
		add(fmt.Sprintf("d:%04d-%02d-%02d", r.dob.y, lo, hi))
		if len(r.names) > 0 && !r.names[0].alias {
			// a child given a new family name keeps the given name and year
			if n := r.names[0]; len(n.givenCode) > 0 && len(n.familyCode) > 0 {
				add("yg:" + year + ":" + n.givenCode[0])
			}
		}
	}
	for i := range r.names {
		if r.names[i].alias {
			add(nameKey(&r.names[i], year))
		}
	}
	for _, ph := range r.phones {
		add("p:" + ph)
	}
	return out
}

// nameKey is the phonetic codes of the first given word and the family
// name, in alphabetical order so that a swapped or family-first name
// shares it. A name of one word is joined with the year of birth, when
// known, so that one common word does not file a child with thousands.
func nameKey(n *name, year string) string {
	var codes []string
	if len(n.givenCode) > 0 {
		codes = append(codes, n.givenCode[0])
	}
	if len(n.familyCode) > 0 {
		codes = append(codes, n.familyCode[len(n.familyCode)-1])
	}
	if len(codes) == 1 {
		return "n1:" + codes[0] + ":" + year
	}
	sort.Strings(codes)
	return "n:" + codes[0] + ":" + codes[1]
}
