package match

// Name comparison: the recorded name and every alias of one record against
// those of the other, keeping the best pair (§4.8, §5.1: a child may be
// given a false name, and be recorded under another name in another area).

// Levels of the name comparison, best first.
const (
	nameSame      = iota // the same words in the same places
	nameReordered        // the same words, given and family the other way round
	nameSimilar          // both parts spelt alike or sounding alike
	nameFamily           // the family name agrees, the given names do not
	nameGiven            // the given name agrees, the family name does not
	nameDiffers
)

// wordClose says whether two name words are the same name, allowing for a
// typing slip or a spelling that sounds the same.
func wordClose(a, b, codeA, codeB string) bool {
	if a == b {
		return true
	}
	if codeA == codeB && len(codeA) >= 2 {
		return true
	}
	if len(a) >= 4 && len(b) >= 4 && editDistance(a, b) <= 1 {
		return true
	}
	return jaroWinkler(a, b) >= 0.9
}

// partClose says whether two parts of a name (the given names, or the
// family names) share a word, allowing for a slip: a middle name left
// out still agrees.
func partClose(a, b, codeA, codeB []string, joinA, joinB string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if joinA == joinB || jaroWinkler(joinA, joinB) >= 0.92 {
		return true
	}
	for i := range a {
		if particles[a[i]] {
			continue
		}
		for j := range b {
			if !particles[b[j]] && wordClose(a[i], b[j], codeA[i], codeB[j]) {
				return true
			}
		}
	}
	return false
}

// particles are words that many names share and that alone say nothing
// of who someone is: Vietnamese middle names that mark gender (Van, Thi),
// and the Arabic and European joining words. Two sisters Thi Mai and Thi
// Lan do not have close given names.
var particles = map[string]bool{
	"van": true, "thi": true, "bin": true, "binti": true, "bint": true, "ibn": true, "abu": true,
	"al": true, "el": true, "de": true, "da": true, "di": true, "del": true, "dos": true, "das": true, "von": true,
}

// compareName is the level at which two single names agree.
func compareName(a, b *name) int {
	if a.givenJoin == b.givenJoin && a.famJoin == b.famJoin {
		return nameSame
	}
	if a.sorted == b.sorted {
		return nameReordered
	}
	gg := partClose(a.given, b.given, a.givenCode, b.givenCode, a.givenJoin, b.givenJoin)
	ff := partClose(a.family, b.family, a.familyCode, b.familyCode, a.famJoin, b.famJoin)
	if gg && ff {
		return nameSimilar
	}
	// given and family the other way round, or one written as the other
	gf := partClose(a.given, b.family, a.givenCode, b.familyCode, a.givenJoin, b.famJoin)
	fg := partClose(a.family, b.given, a.familyCode, b.givenCode, a.famJoin, b.givenJoin)
	if gf && fg {
		return nameSimilar
	}
	if ff {
		return nameFamily
	}
	if gg || gf || fg {
		return nameGiven
	}
	return nameDiffers
}

// bestName compares every name of a with every name of b and gives the
// best level, whether an alias gave it, and whether the recorded spelling
// differed only by accents or a known romanisation.
func bestName(a, b *record) (level int, alias, variant bool) {
	level = -1
	for i := range a.names {
		for j := range b.names {
			l := compareName(&a.names[i], &b.names[j])
			if level < 0 || l < level || (l == level && alias && !a.names[i].alias && !b.names[j].alias) {
				level = l
				alias = a.names[i].alias || b.names[j].alias
				variant = l == nameSame && a.names[i].raw != b.names[j].raw
			}
		}
	}
	return level, alias, variant
}
