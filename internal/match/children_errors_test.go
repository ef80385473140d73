package match

import (
	"strings"
	"testing"
)

// Tests of how the children's model weighs the errors and the look-alikes
// met in this work: false and assigned dates of birth (§4.8, §7.4), common
// names, and brothers and sisters moved together (§4.3, §7.1).

func TestABirthdayOfFirstJanuaryIsWeakEvidence(t *testing.T) {
	// §7.4: a child whose date of birth is not known is often given
	// 1 January of the year their claimed age gives
	m := DefaultModel()
	a, b := child(), child()
	b.Given, b.Phones, b.Associates, b.Places = "Minh", nil, nil, nil
	same := m.Compare(a, b)
	a.DateOfBirth, b.DateOfBirth = "2009-01-01", "2009-01-01"
	january := m.Compare(a, b)
	if d := detail(t, january, "date of birth"); d.Weight >= detail(t, same, "date of birth").Weight/2 || !strings.Contains(d.Words, "1 January") {
		t.Errorf("two records both born on 1 January: %+v, against the same real date %+v", d, detail(t, same, "date of birth"))
	}
	// beside a real date in a year near it, 1 January still agrees a little
	b.DateOfBirth = "2008-01-01"
	a.DateOfBirth = "2008-06-14"
	if d := detail(t, m.Compare(a, b), "date of birth"); !d.Agrees {
		t.Errorf("1 January beside a date that year: %+v", d)
	}
}

func TestADateOfBirthYearsApartCountsAgainstMoreThanOneNearIt(t *testing.T) {
	// §7.4: an age in dispute is out by a year or two, not by five
	m := DefaultModel()
	a, b := child(), child()
	b.DateOfBirth = "2010-11-20"
	near := detail(t, m.Compare(a, b), "date of birth")
	b.DateOfBirth = "2004-11-20"
	far := detail(t, m.Compare(a, b), "date of birth")
	if far.Weight >= near.Weight || near.Weight >= 0 || far.Agrees {
		t.Errorf("years apart %+v, near %+v", far, near)
	}
}

func TestACommonNameSaysLessThanARareOne(t *testing.T) {
	// §4.8, §5.1: many children are called Mohammed Ahmed; two records of
	// that name say less than two of a rarer one
	m := DefaultModel()
	common := Person{Given: "Mohammed", Family: "Ahmed", DateOfBirth: "2008-03-02"}
	rare := Person{Given: "Zebedee", Family: "Quarrington", DateOfBirth: "2008-03-02"}
	c := detail(t, m.Compare(common, common), "name")
	r := detail(t, m.Compare(rare, rare), "name")
	if c.Weight >= r.Weight-1 || !c.Agrees {
		t.Errorf("a common name weighs %.2f, a rare one %.2f", c.Weight, r.Weight)
	}
	// the same common name with another date of birth years apart is not
	// the same child
	other := common
	other.DateOfBirth = "2005-09-24"
	if p := m.ForRegister(5000).Compare(common, other).Probability; p >= 0.5 {
		t.Errorf("Mohammed Ahmed born three years apart: probability %.3f", p)
	}
}

func TestBrothersSharingAHomeAreNotTakenForOneChild(t *testing.T) {
	// §4.3, §7.1: brothers and sisters are often moved together and share
	// a family name, an address, a phone and the people with them
	m := DefaultModel().ForRegister(5000)
	a := child()
	b := child()
	b.Given, b.DateOfBirth = "Minh Duc", "2011-06-12"
	r := m.Compare(a, b)
	if r.Probability >= 0.5 {
		t.Errorf("a brother sharing the home is matched at %.3f: %+v", r.Probability, r.Details)
	}
	if d := detail(t, r, "name"); d.Weight >= 0 || d.Agrees {
		t.Errorf("at one home the family name says nothing for the match: %+v", d)
	}
	for _, d := range r.Details {
		if contains(household, d.Field) && (d.Weight != 0 || !strings.Contains(d.Words, "brothers and sisters")) {
			t.Errorf("%s: %+v", d.Field, d)
		}
	}
	// the same child known by a new name at the same home still is
	c := child()
	c.Given, c.Family = "Minh", "Tran"
	if r := m.Compare(a, c); r.Probability < 0.9 {
		t.Errorf("the same child under a new name, same phone and date: %.3f: %+v", r.Probability, r.Details)
	}
}

func TestDetailsThatGoTogetherCountOnce(t *testing.T) {
	// nationality and language, and the details of a home, are not
	// independent: only the strongest of each group adds to the weight
	r := DefaultModel().Compare(child(), child())
	var sum float64
	for _, d := range r.Details {
		sum += d.Weight
	}
	if got := r.Weight - log2(DefaultModel().Prior/(1-DefaultModel().Prior)); got-sum > 1e-9 || sum-got > 1e-9 {
		t.Errorf("the weight %.3f is not the details' sum %.3f", got, sum)
	}
	if n, l := detail(t, r, "nationality"), detail(t, r, "languages"); n.Weight > 0 && l.Weight > 0 {
		t.Errorf("nationality %+v and language %+v both count", n, l)
	}
	for _, d := range r.Details {
		if strings.Contains(d.Words, "Croydon") || strings.Contains(d.Words, "07700") || strings.Contains(d.Words, "Nguy") {
			t.Errorf("the words repeat a value: %q", d.Words)
		}
	}
}

func TestATypingSlipWithTheYearOutStillSharesAKey(t *testing.T) {
	// §7.4: Malachi Roberts born 2005-09-14 and "Maladhi Roberts" born a
	// year later: the name key and the date key both change
	a := Person{Given: "Malachi", Family: "Roberts", DateOfBirth: "2005-09-14"}
	b := Person{Given: "Maladhi", Family: "Roberts", DateOfBirth: "2006-09-14"}
	c := Person{Given: "Enea", Family: "", DateOfBirth: "2009-02-28"}
	d := Person{Given: "Enea", Family: "Basha", DateOfBirth: "2008-02-28"}
	if !sharesKey(BlockingKeys(a), BlockingKeys(b)) || !sharesKey(BlockingKeys(c), BlockingKeys(d)) {
		t.Errorf("no key shared: %v %v; %v %v", BlockingKeys(a), BlockingKeys(b), BlockingKeys(c), BlockingKeys(d))
	}
}
