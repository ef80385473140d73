package synth

import (
	"strings"
	"time"
	"unicode"

	"waymark/internal/match"
)

// apply writes one error mode into p, a later record of ch made on the
// given day, and returns the mode it wrote: a name with no other
// romanisation gets a typing error instead.
func (g *generator) apply(p *match.Person, ch *child, m Mode, recorded time.Time) Mode {
	switch m {
	case ModeTransliteration:
		// English names are not romanised; they are only spelt otherwise.
		if !g.transliterate(p, ch.group != &Groups[0]) {
			g.typo(p)
			return ModeTypo
		}
	case ModeFamilyFirst:
		// The full name as the child says it, family first, split by
		// someone who expects the family name last.
		tokens := strings.Fields(p.Family + " " + p.Given)
		switch x := g.r.Float64(); {
		case x < 0.6:
			p.Given, p.Family = strings.Join(tokens[:len(tokens)-1], " "), tokens[len(tokens)-1]
		case x < 0.8:
			p.Given, p.Family = strings.Join(tokens, " "), ""
		default:
			p.Given, p.Family = tokens[len(tokens)-1], strings.Join(tokens[:len(tokens)-1], " ")
		}
	case ModeSwapped:
		p.Given, p.Family = p.Family, p.Given
	case ModeAlias:
		real := strings.TrimSpace(p.Given + " " + p.Family)
		given, middle := g.givenName(ch.group, ch.gender)
		if middle != "" {
			given = middle + " " + given
		}
		family := g.zipf(ch.group.Family, ch.group.FamilySkew)
		if g.chance(0.5) {
			given, family = stripDiacritics(given), stripDiacritics(family)
		}
		p.Given, p.Family = given, family
		if g.chance(0.5) {
			p.Aliases = append(p.Aliases, real)
		}
		if g.chance(0.3) {
			p.Nationality = g.wrongNationality(ch)
		}
		if g.chance(0.5) {
			p.Phones = []string{g.writePhone(g.phone())}
		}
		p.Identifier = g.identifier(ch.group)
	case ModeNickname:
		if nicks := nicknames[stripDiacritics(ch.given)]; len(nicks) > 0 {
			p.Given = g.pick(nicks)
			if !g.chance(0.7) {
				p.Family = ""
			}
			return m
		}
		p.Given, p.Family = g.pick(streetNames), ""
	case ModeAgeRange:
		claimed := age(ch.dob, recorded) + []int{-1, 0, 0, 0, 1}[g.r.IntN(5)]
		claimed = min(claimed, 17) // §7.4: a child claims to be a child
		p.DateOfBirth = ""
		p.AgeOn = recorded
		switch x := g.r.Float64(); {
		case x < 0.5:
			p.AgeFrom, p.AgeTo = claimed, claimed
		case x < 0.8:
			p.AgeFrom, p.AgeTo = claimed-1, claimed+1
		default:
			p.AgeFrom, p.AgeTo = claimed, claimed+2 // assessed as older
		}
	case ModeDayMonth:
		if d, err := time.Parse(time.DateOnly, p.DateOfBirth); err == nil && d.Day() <= 12 {
			p.DateOfBirth = time.Date(d.Year(), time.Month(d.Day()), int(d.Month()), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
	case ModeYearOff:
		if d, err := time.Parse(time.DateOnly, p.DateOfBirth); err == nil {
			years := []int{-2, -1, -1, -1, 1, 1, 1, 2}[g.r.IntN(8)]
			p.DateOfBirth = d.AddDate(years, 0, 0).Format(time.DateOnly)
		}
	case ModeJanuaryFirst:
		claimed := age(ch.dob, recorded) + []int{-1, 0, 0, 0, 1}[g.r.IntN(5)]
		p.DateOfBirth = time.Date(recorded.Year()-claimed, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	case ModeTypo:
		g.typo(p)
	case ModeMissing:
		blanks := []func(){
			func() { p.Family = "" },
			func() { p.DateOfBirth = "" },
			func() { p.Nationality = "" },
			func() { p.Languages = nil },
			func() { p.Phones = nil },
			func() { p.Gender = "" },
			func() { p.Places, p.Street, p.Locality, p.Postcode, p.Region = nil, "", "", "", "" },
			func() { p.Associates = nil },
		}
		g.r.Shuffle(len(blanks), func(i, j int) { blanks[i], blanks[j] = blanks[j], blanks[i] })
		for _, blank := range blanks[:2+g.r.IntN(2)] {
			blank()
		}
	case ModeNewPhone:
		phones := []string{g.writePhone(g.phone())}
		if len(p.Phones) > 0 && g.chance(0.3) {
			phones = append(phones, p.Phones[0])
		}
		p.Phones = phones
	case ModeMoved:
		home := g.address()
		p.Street, p.Locality, p.Postcode, p.Region = home.street, home.locality, home.postcode, home.region
		places := []string{home.locality}
		if g.chance(0.4) {
			places = append(places, ch.home.locality)
		}
		p.Places = places
	}
	return m
}

// transliterate writes one or two of the name's words in another
// romanisation, by the rules of romanisation when no word has a known
// other spelling and rules is true. It reports false when nothing changed.
func (g *generator) transliterate(p *match.Person, rules bool) bool {
	type word struct {
		family bool
		i      int
	}
	var known, any []word
	for _, family := range []bool{false, true} {
		name := p.Given
		if family {
			name = p.Family
		}
		for i, w := range strings.Fields(name) {
			any = append(any, word{family, i})
			if len(variantIndex[foldKey(w)]) > 0 {
				known = append(known, word{family, i})
			}
		}
	}
	change := func(w word, to func(string) string) bool {
		name := &p.Given
		if w.family {
			name = &p.Family
		}
		words := strings.Fields(*name)
		v := to(words[w.i])
		if v == "" || v == words[w.i] {
			return false
		}
		words[w.i] = v
		*name = strings.Join(words, " ")
		return true
	}
	if len(known) > 0 {
		g.r.Shuffle(len(known), func(i, j int) { known[i], known[j] = known[j], known[i] })
		n := 1
		if len(known) > 1 && g.chance(0.3) {
			n = 2
		}
		done := false
		for _, w := range known[:n] {
			done = change(w, g.spelling) || done
		}
		if done {
			return true
		}
	}
	if !rules {
		return false
	}
	g.r.Shuffle(len(any), func(i, j int) { any[i], any[j] = any[j], any[i] })
	for _, w := range any {
		if change(w, g.ruleVariant) {
			return true
		}
	}
	return false
}

// spelling is another spelling of the word from the lines it is in, not
// one that differs from it only in diacritics.
func (g *generator) spelling(w string) string {
	var options []string
	for _, line := range variantIndex[foldKey(w)] {
		for _, s := range spellings[line] {
			if foldKey(s) != foldKey(w) {
				options = append(options, s)
			}
		}
	}
	if len(options) == 0 {
		return ""
	}
	return g.pick(options)
}

// ruleVariant applies one romanisation rule to the word, if one fits.
func (g *generator) ruleVariant(w string) string {
	rs := []rune(strings.ToLower(w))
	if len(rs) < 4 {
		return ""
	}
	head, rest := string(rs[:1]), string(rs[1:])
	var fits [][2]string
	for _, rule := range ruleVariants {
		if strings.Contains(rest, rule[0]) {
			fits = append(fits, rule)
		}
	}
	if len(fits) == 0 {
		return ""
	}
	rule := fits[g.r.IntN(len(fits))]
	return capitalise(head + strings.Replace(rest, rule[0], rule[1], 1))
}

func capitalise(s string) string {
	rs := []rune(s)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// typo makes one or two typing errors in the given name, the family name,
// or both.
func (g *generator) typo(p *match.Person) {
	edits := 1
	if g.chance(0.2) {
		edits = 2
	}
	x := g.r.Float64()
	if x < 0.6 || p.Family == "" {
		for range edits {
			p.Given = g.mistype(p.Given)
		}
	}
	if x >= 0.45 && p.Family != "" {
		for range edits {
			p.Family = g.mistype(p.Family)
		}
	}
}

// keyboard gives the keys next to each letter on a UK keyboard.
var keyboard = map[rune]string{
	'q': "wa", 'w': "qes", 'e': "wrd", 'r': "etf", 't': "ryg", 'y': "tuh", 'u': "yij", 'i': "uok",
	'o': "ipl", 'p': "ol", 'a': "qsz", 's': "adw", 'd': "sfe", 'f': "dgr", 'g': "fht", 'h': "gjy",
	'j': "hku", 'k': "jli", 'l': "ko", 'z': "xa", 'x': "zcs", 'c': "xvd", 'v': "cbf", 'b': "vng",
	'n': "bmh", 'm': "nj",
}

// mistype inserts, drops, replaces or transposes one letter.
func (g *generator) mistype(s string) string {
	rs := []rune(s)
	if len(rs) < 3 {
		return s
	}
	near := func(r rune) rune {
		keys := keyboard[unicode.ToLower(r)]
		if keys == "" {
			return 'a' + rune(g.r.IntN(26))
		}
		return rune(keys[g.r.IntN(len(keys))])
	}
	i := 1 + g.r.IntN(len(rs)-1) // the first letter is seldom the one mistyped
	switch g.r.IntN(4) {
	case 0: // insert
		rs = append(rs[:i], append([]rune{near(rs[i])}, rs[i:]...)...)
	case 1: // delete
		if rs[i] == ' ' {
			return s
		}
		rs = append(rs[:i], rs[i+1:]...)
	case 2: // substitute
		if rs[i] == ' ' {
			return s
		}
		rs[i] = near(rs[i])
	default: // transpose
		if i == len(rs)-1 {
			i--
		}
		if rs[i] == rs[i+1] || rs[i] == ' ' || rs[i+1] == ' ' {
			rs[i] = near(rs[i])
		} else {
			rs[i], rs[i+1] = rs[i+1], rs[i]
		}
	}
	return string(rs)
}
