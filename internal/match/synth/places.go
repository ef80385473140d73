package synth

// town is a UK town a child is placed, found or goes missing in, with the
// postcode districts and region its addresses use. Ports of arrival and
// county-lines destinations are both here (§4.3, §7.1).
type town struct {
	name, region string
	districts    []string
}

var towns = []town{
	{"Croydon", "London", []string{"CR0", "CR2", "CR7"}},
	{"Lambeth", "London", []string{"SE11", "SW2", "SW9"}},
	{"Newham", "London", []string{"E6", "E13", "E15"}},
	{"Southwark", "London", []string{"SE1", "SE5", "SE15"}},
	{"Hillingdon", "London", []string{"UB3", "UB8", "UB10"}},
	{"Birmingham", "West Midlands", []string{"B6", "B10", "B21", "B33"}},
	{"Coventry", "West Midlands", []string{"CV1", "CV2", "CV6"}},
	{"Wolverhampton", "West Midlands", []string{"WV1", "WV10", "WV14"}},
	{"Manchester", "North West", []string{"M8", "M13", "M40"}},
	{"Liverpool", "North West", []string{"L4", "L8", "L11"}},
	{"Blackpool", "North West", []string{"FY1", "FY3", "FY4"}},
	{"Preston", "North West", []string{"PR1", "PR2"}},
	{"Leeds", "Yorkshire and the Humber", []string{"LS7", "LS9", "LS11"}},
	{"Bradford", "Yorkshire and the Humber", []string{"BD3", "BD5", "BD8"}},
	{"Sheffield", "Yorkshire and the Humber", []string{"S2", "S4", "S9"}},
	{"Hull", "Yorkshire and the Humber", []string{"HU3", "HU5", "HU9"}},
	{"Nottingham", "East Midlands", []string{"NG3", "NG7", "NG8"}},
	{"Leicester", "East Midlands", []string{"LE2", "LE3", "LE5"}},
	{"Derby", "East Midlands", []string{"DE1", "DE22", "DE23"}},
	{"Northampton", "East Midlands", []string{"NN1", "NN2", "NN5"}},
	{"Peterborough", "East of England", []string{"PE1", "PE2", "PE4"}},
	{"Norwich", "East of England", []string{"NR1", "NR3", "NR5"}},
	{"Ipswich", "East of England", []string{"IP1", "IP3", "IP4"}},
	{"Luton", "East of England", []string{"LU1", "LU2", "LU4"}},
	{"Dover", "South East", []string{"CT16", "CT17"}},
	{"Folkestone", "South East", []string{"CT19", "CT20"}},
	{"Ashford", "South East", []string{"TN23", "TN24"}},
	{"Margate", "South East", []string{"CT9"}},
	{"Portsmouth", "South East", []string{"PO1", "PO4", "PO5"}},
	{"Southampton", "South East", []string{"SO14", "SO15", "SO16"}},
	{"Reading", "South East", []string{"RG1", "RG2", "RG30"}},
	{"Slough", "South East", []string{"SL1", "SL2"}},
	{"Milton Keynes", "South East", []string{"MK6", "MK9", "MK13"}},
	{"Bristol", "South West", []string{"BS2", "BS5", "BS13"}},
	{"Plymouth", "South West", []string{"PL1", "PL4", "PL5"}},
	{"Bournemouth", "South West", []string{"BH1", "BH8", "BH11"}},
	{"Swindon", "South West", []string{"SN1", "SN2", "SN3"}},
	{"Exeter", "South West", []string{"EX1", "EX2", "EX4"}},
	{"Middlesbrough", "North East", []string{"TS1", "TS3", "TS5"}},
	{"Newcastle upon Tyne", "North East", []string{"NE4", "NE6", "NE15"}},
	{"Sunderland", "North East", []string{"SR1", "SR4", "SR5"}},
	{"Stoke-on-Trent", "West Midlands", []string{"ST1", "ST4", "ST6"}},
	{"Cardiff", "Wales", []string{"CF10", "CF11", "CF24"}},
	{"Swansea", "Wales", []string{"SA1", "SA5", "SA6"}},
	{"Glasgow", "Scotland", []string{"G20", "G31", "G51"}},
}

var streets = []string{"Victoria", "Station", "Church", "High", "Park", "Queen's", "King's",
	"Albert", "Mill", "Green", "Manor", "Grove", "Alexandra", "York", "Windsor", "Springfield",
	"Hawthorn", "Cedar", "Elm", "Oak", "Beech", "Willow", "Chestnut", "Meadow", "Orchard",
	"Clarendon", "Stanley", "Milton", "Belmont", "Gladstone", "Palmerston", "Cromwell", "Nelson",
	"Wellington", "Raleigh", "Tennyson", "Wordsworth", "Brunswick", "Cavendish", "Egerton"}

var streetKinds = []string{"Road", "Street", "Avenue", "Close", "Lane", "Way", "Gardens",
	"Court", "Crescent", "Drive", "Terrace", "Place"}

// postcodeLetters are the letters the inward part of a postcode uses.
const postcodeLetters = "ABDEFGHJLNPQRSTUWXYZ"
