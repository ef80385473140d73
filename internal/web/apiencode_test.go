package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
)

type apiInner struct {
	Shared string
	Deep   *time.Time
}

type apiOdd struct {
	*apiInner
	apiEmbedded
	Shared      string    // replaces the embedded one
	Count       int       `json:"count,string"`
	Missing     *int      `json:"missing,string"`
	Skipped     string    `json:"-"`
	Empty       []int     `json:"empty,omitempty"`
	Zero        time.Time `json:"zero,omitzero"`
	NRMDecision float64
	Ratio       float32
	Raw         json.RawMessage
	Addr        netip.Addr
	Bytes       []byte
	NilBytes    []byte
	NilMap      map[string]int
	IntKeys     map[int]string
	Any         any
	When        time.Time
	WhenPtr     *time.Time
	Nested      [][]string
	Arr         [2]bool
	Uint        uint16
	unexported  int
}

type apiEmbedded struct{ ClockID string }

type APIInt int

type apiEmbeddedPointers struct {
	*APIInt
	X int
}

type apiEmbeddedPointersOmitted struct {
	*APIInt `json:",omitempty"`
	X       int
}

type apiNumbers struct {
	N json.Number
	S json.Number `json:"s,string"`
	//lint:ignore SA5008 any with the string option, as apiFields handles it
	A any `json:"a,string"`
}

type apiNode struct{ Next *apiNode }

type apiTimes struct {
	// apiFields honours the option whatever the type, so the encoding must too.
	//lint:ignore SA5008 a time with the string option, as apiFields handles it
	T time.Time `json:"t,string"`
	//lint:ignore SA5008 the same behind a pointer
	P *time.Time `json:"p,string"`
	//lint:ignore SA5008 a map with it
	M map[string]int `json:"m,string"`
}

// encodeAPI gives the bytes encoding/json gives for apiValue, whatever the
// value: HTML-like and control characters, other scripts, embedded and
// replaced fields, the json options, floats, marshalers and odd maps.
func TestTheAPIEncodingIsByteForByteEncodingJSONs(t *testing.T) {
	at := time.Date(2026, 12, 8, 1, 2, 3, 456789000, time.UTC)
	n := 7
	zero, one := APIInt(0), APIInt(1)
	values := []any{
		nil, "", "plain", `a "quoted" \ back`, "<b>&amp;</b>", "a<b", "a>b", "a&b", "tab\there\nline\r\x00\x1f\x7f", "Amira أمينة 😀", "\u2028\u2029",
		"bad \xff utf-8", 0, -12, 3.5, math.MaxInt64, true, []string(nil), []string{}, map[string]any{"z": 1, "a": []any{nil, "x"}},
		apiOdd{}, &apiOdd{apiInner: &apiInner{Shared: "inner", Deep: &at}, apiEmbedded: apiEmbedded{ClockID: "c<1>"}, Shared: "outer", Count: 5, Missing: &n,
			Skipped: "no", Empty: []int{1}, Zero: at, NRMDecision: 0.1, Ratio: 1e21, Raw: json.RawMessage(`{"b": [1, 2], "a": "<"}`),
			Addr: netip.MustParseAddr("192.0.2.1"), Bytes: []byte("bytes"), IntKeys: map[int]string{2: "b", 10: "a"}, Any: map[string]int{"k": 1},
			When: at, WhenPtr: &at, Nested: [][]string{{"a"}, nil, {}}, Arr: [2]bool{true, false}, Uint: 65535, unexported: 1},
		pathway.Case{}, apiTimes{}, apiTimes{T: at, P: &at, M: map[string]int{"a": 1}},
		// Found by review: numbers held as text, embedded pointers to other
		// types, and zones a day or more from UTC (which encoding/json refuses).
		json.Number("12"), []json.Number{"1.5"}, map[string]any{"n": json.Number("3")}, json.Number("abc"),
		apiNumbers{N: "1", S: "6", A: json.Number("7")},
		apiEmbeddedPointers{X: 1}, apiEmbeddedPointers{APIInt: &zero, X: 1}, apiEmbeddedPointersOmitted{APIInt: &zero}, apiEmbeddedPointersOmitted{APIInt: &one},
		at.In(time.FixedZone("x", 25*3600)), at.In(time.FixedZone("y", -25*3600)), at.In(time.FixedZone("z", 100*3600)), at.In(time.FixedZone("w", 23*3600+59*60)),
		map[string]any{"float": math.Inf(1)}, // encoding/json refuses it: both send nothing
	}
	for _, v := range values {
		got, want := encodeAPI(v), encodeAPISlowly(v)
		if !bytes.Equal(got, want) {
			t.Errorf("%#v:\n--- encodeAPI\n%s\n--- encoding/json\n%s", v, got, want)
		}
	}
}

// BenchmarkAPIEncoding encodes an inbox page of 50 cases as the API sends
// it, the new way and the old.
func BenchmarkAPIEncoding(b *testing.B) {
	at := time.Date(2026, 12, 8, 1, 2, 3, 0, time.UTC)
	var cs []store.CaseSummary
	for i := range 50 {
		due := at.Add(time.Duration(i) * time.Hour)
		cs = append(cs, store.CaseSummary{ID: fmt.Sprintf("case-%03d-0123456789abcdef", i), Reference: "CS-2026-0001", Stage: pathway.StageContactRecorded,
			ChildName: "Amira Example", RaisedAt: at, UpdatedAt: at, Version: 12, NextClockLabel: "Strategy discussion", NextClockDue: &due, AssignedTo: []string{"Sam Whitfield"}})
	}
	v := summariesJSON(cs)
	for _, way := range []struct {
		name string
		f    func(any) []byte
	}{{"new", encodeAPI}, {"old", encodeAPISlowly}} {
		b.Run(way.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				way.f(v)
			}
		})
	}
}

// A value that refers to itself is given up quickly (and left to the old
// way, as before), not followed until memory runs out.
func TestTheAPIEncodingGivesUpOnAValueThatRefersToItself(t *testing.T) {
	loop := &apiNode{}
	loop.Next = loop
	e := apiEncoder{pretty: true}
	e.value(reflect.ValueOf(loop))
	if !e.failed || e.nest != 0 || len(e.buf) > 1<<20 {
		t.Fatalf("a pointer cycle: failed %v, nesting left %d, %d bytes written", e.failed, e.nest, len(e.buf))
	}
	var self any
	self = &self
	if apiNull(reflect.ValueOf(self)) {
		t.Fatal("an interface pointing at itself is not null")
	}
}
