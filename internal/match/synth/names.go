package synth

// The name pools below were written for this generator. They are common
// given and family names of each group, put together at random: no record
// describes a real child or a real person. Each pool is ordered from the
// most to the least common, and drawn with Zipf-like weights, so that the
// hard cases of common names (many Nguyen, many Mohammed) arise by
// themselves.

// Group is a nationality as children are referred to the NRM with it, and
// how its names are built.
type Group struct {
	Nationality string   // as a practitioner records it: "Vietnamese"
	Country     string   // the country, as some records give it instead
	Languages   []string // the languages children of the group often speak
	Weight      float64  // its share of generated children (not an official share)
	MaleShare   float64  // share of boys among its children
	// Male and Female are given names; Family are family names, most
	// common first.
	Male, Female, Family []string
	// GivenSkew and FamilySkew are the Zipf exponents names are drawn
	// with: the larger, the more children share the commonest name.
	// English family names are spread thin; four Vietnamese children in
	// ten are Nguyễn.
	GivenSkew, FamilySkew float64
	// FamilyFirst groups write the family name first (Vietnamese).
	FamilyFirst bool
	// Middle names, by gender, for groups that use them (Vietnamese Văn,
	// Thị), most common first.
	MiddleMale, MiddleFemale []string
	// Neighbours are nationalities a child of this group is sometimes
	// recorded under by mistake or by claim.
	Neighbours []string
	// HomeOfficeRef says whether children of the group usually carry a
	// Home Office reference (children from abroad) rather than an NHS number.
	HomeOfficeRef bool
}

// Groups are the nationalities most often referred to the NRM as children.
var Groups = []Group{
	{
		Nationality: "British", Country: "United Kingdom",
		Languages: []string{"English"},
		Weight:    0.40, MaleShare: 0.72, GivenSkew: 0.4, FamilySkew: 0.4,
		Male: []string{"Jack", "Harry", "Charlie", "Kyle", "Callum", "Jordan", "Connor", "Tyler",
			"Reece", "Liam", "Bradley", "Kai", "Jayden", "Mason", "Leon", "Ryan", "Dylan", "Lewis",
			"Ethan", "Alfie", "Kieran", "Jamal", "Tyrese", "Kian", "Marcus", "Daniel", "Joshua",
			"Nathan", "Aaron", "Lucas", "Riley", "Ashton", "Brandon", "Jake", "Thomas", "Oliver",
			"Mohammed", "Isaac", "Kacper", "Deshawn", "Malachi", "Rhys", "Tommy", "Louis",
			"George", "Archie", "Freddie", "Finley", "Logan", "Cameron", "Luke", "Sam", "Adam",
			"Owen", "Ben", "Max", "Corey", "Declan", "Shane", "Jamie", "Luca", "Aiden", "Zak", "Ronan"},
		Female: []string{"Chloe", "Jade", "Emily", "Sophie", "Ellie", "Lauren", "Megan", "Amber",
			"Courtney", "Jasmine", "Leah", "Mia", "Shannon", "Kayleigh", "Chelsea", "Paige", "Holly",
			"Demi", "Keira", "Tia", "Aaliyah", "Skye", "Olivia", "Lily", "Precious", "Bethany",
			"Grace", "Ruby", "Evie", "Millie", "Abbie", "Kelsey", "Nicole", "Hannah", "Katie", "Rebecca",
			"Danielle", "Caitlin", "Summer", "Jessica"},
		Family: []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson",
			"Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White",
			"Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson",
			"Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "King", "Baker",
			"Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Parker", "Price",
			"Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Carter", "Richardson", "Bailey",
			"Collins", "Campbell", "Francis", "Mensah", "Khan", "Ali", "Murphy", "McDonald", "O'Neill",
			"Gordon", "Reid", "Grant", "Stewart", "Hussain", "Begum", "Nowak", "Osei", "Boateng",
			"Cook", "Bell", "Shaw", "Miller", "Cox", "Richards", "Fox", "Webb", "Simpson", "Marshall",
			"Holmes", "Lloyd", "Matthews", "Chapman", "Ellis", "Mason", "Hunt", "Palmer", "Mills",
			"Barnes", "Knight", "Butler", "Russell", "Fisher", "Dixon", "Barker", "Pearson", "Pearce",
			"Owen", "Hayes", "Powell", "Rogers", "Jenkins", "Gibson", "Wells", "Lawrence", "Bradley",
			"Cole", "Day", "Booth", "Rose", "Hart", "Lane", "Holland", "Walsh", "Doyle", "Byrne",
			"Quinn", "Brennan", "Kaur", "Singh", "Ahmed", "Iqbal", "Rahman", "Asante", "Adeyemi", "Kowalski",
			"Fraser", "Ross", "Murray", "Hamilton"},
		Neighbours: []string{"Irish"},
	},
	{
		Nationality: "Vietnamese", Country: "Vietnam",
		Languages: []string{"Vietnamese"},
		Weight:    0.09, MaleShare: 0.75, GivenSkew: 0.8, FamilySkew: 1.4, FamilyFirst: true,
		Male: []string{"Hùng", "Minh", "Nam", "Tuấn", "Dũng", "Huy", "Long", "Cường", "Thắng", "Sơn",
			"Quân", "Khánh", "Phúc", "Bảo", "Việt", "Tâm", "Hải", "Đức", "Trung", "Hiếu", "Phong",
			"Thành", "Tài", "Lâm", "Hoàng", "Tùng", "Kiên", "Đạt", "Vinh", "Quang", "Hưng", "An"},
		Female: []string{"Linh", "Anh", "Trang", "Hương", "Lan", "Mai", "Ngọc", "Thảo", "Hoa", "Nhung",
			"Vy", "Hà", "Phương", "Thu", "Yến", "Hằng", "Giang", "Nhi", "Quỳnh", "Thủy"},
		Family: []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Phan", "Huỳnh", "Võ", "Đặng",
			"Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đào", "Mai", "Lương", "Cao"},
		MiddleMale:    []string{"Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công"},
		MiddleFemale:  []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Minh", "Thanh"},
		Neighbours:    []string{"Chinese"},
		HomeOfficeRef: true,
	},
	{
		Nationality: "Albanian", Country: "Albania",
		Languages: []string{"Albanian"},
		Weight:    0.08, MaleShare: 0.88, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Ardit", "Arbër", "Besnik", "Bledar", "Dritan", "Elton", "Endri", "Enea", "Erion",
			"Ermal", "Fatjon", "Florian", "Gentian", "Gëzim", "Ilir", "Klajdi", "Kristian", "Lorenc",
			"Marsel", "Mario", "Orges", "Redi", "Renaldo", "Rigels", "Sokol", "Xhulio", "Klevis",
			"Erjon", "Aldo", "Denis", "Jurgen", "Ergys", "Eljon", "Armando", "Kevin", "Flamur"},
		Female: []string{"Anisa", "Elira", "Ersa", "Kejsi", "Klea", "Xhesika", "Megi", "Sara", "Ajola",
			"Era", "Fjona", "Jonida", "Roza", "Besjana"},
		Family: []string{"Hoxha", "Shehu", "Çela", "Dervishi", "Gjoka", "Leka", "Marku", "Prifti", "Kola",
			"Hysa", "Lika", "Muça", "Basha", "Dushku", "Gjini", "Kuka", "Meta", "Berisha", "Krasniqi",
			"Gashi", "Shala", "Ramadani", "Aliaj", "Mema", "Tafa", "Zeqiri", "Bajrami", "Sinani",
			"Koçi", "Llaka", "Brahimi", "Bregu", "Cani", "Hasani", "Xhafa", "Zeneli"},
		Neighbours:    []string{"Kosovan"},
		HomeOfficeRef: true,
	},
	{
		Nationality: "Eritrean", Country: "Eritrea",
		Languages: []string{"Tigrinya"},
		Weight:    0.07, MaleShare: 0.82, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Yonas", "Tesfaye", "Dawit", "Filmon", "Merhawi", "Samuel", "Yohannes", "Kidane",
			"Tewelde", "Berhane", "Ghirmay", "Habtom", "Amanuel", "Biniam", "Robel", "Semere",
			"Mebrahtu", "Tsegay", "Tekle", "Woldu", "Asmerom", "Kibrom", "Abraham", "Efrem",
			"Natnael", "Henok", "Mussie", "Aron", "Daniel", "Mikael", "Goitom", "Teklit"},
		Female: []string{"Helen", "Selam", "Senait", "Winta", "Luwam", "Yordanos", "Saron", "Freweyni",
			"Meron", "Hiwet", "Rahwa", "Tsega", "Eden", "Ruta"},
		Family: []string{"Tesfamariam", "Ghebreyesus", "Weldemichael", "Haile", "Kidane", "Tekle",
			"Mehari", "Berhe", "Andemariam", "Habte", "Negash", "Yemane", "Ghebrehiwet", "Tsegay",
			"Asfaha", "Okbay", "Araya", "Zerai", "Kahsay", "Hagos", "Mesfin", "Tewolde",
			"Teklemariam", "Ghebremedhin", "Abraha", "Gebru", "Weldu", "Solomon", "Isaac", "Kifle"},
		Neighbours:    []string{"Ethiopian"},
		HomeOfficeRef: true,
	},
	{
		Nationality: "Sudanese", Country: "Sudan",
		Languages: []string{"Arabic"},
		Weight:    0.08, MaleShare: 0.95, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Mohammed", "Ahmed", "Abdelrahman", "Osman", "Ibrahim", "Adam", "Mustafa", "Omer",
			"Hassan", "Abdalla", "Yousif", "Ishag", "Babiker", "Elhadi", "Abubakar", "Musa", "Idris",
			"Suliman", "Khalid", "Haroun", "Bashir", "Tahir", "Gibril", "Abakar", "Yahya", "Nasreldin",
			"Hamza", "Ali", "Hussein", "Elsadig", "Mohanad", "Anwar"},
		Female: []string{"Fatima", "Aisha", "Amna", "Mariam", "Hawa", "Zainab", "Safa", "Sara"},
		Family: []string{"Ahmed", "Mohammed", "Adam", "Abdalla", "Osman", "Ibrahim", "Babiker", "Elnour",
			"Hamid", "Ishag", "Yousif", "Musa", "Haroun", "Khamis", "Bashir", "Tahir", "Idris",
			"Suliman", "Omer", "Hassan", "Gibril", "Abdelrahim", "Elamin", "Ismail", "Yagoub",
			"Abakar", "Elsheikh", "Mahmoud", "Saleh", "Bakheet"},
		Neighbours:    []string{"South Sudanese", "Chadian"},
		HomeOfficeRef: true,
	},
	{
		Nationality: "Afghan", Country: "Afghanistan",
		Languages: []string{"Pashto", "Dari"},
		Weight:    0.07, MaleShare: 0.97, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Mohammad", "Ahmad", "Ali", "Hamid", "Mustafa", "Khalid", "Noorullah",
			"Rahmatullah", "Zabiullah", "Samiullah", "Habibullah", "Ajmal", "Bilal", "Farhad", "Haroon",
			"Jawad", "Javed", "Nasir", "Qasim", "Rashid", "Sohail", "Wahid", "Yama", "Zakir", "Omid",
			"Milad", "Shafiq", "Naveed", "Elyas", "Abdul Wahid", "Abdul Basir", "Ismail", "Idris"},
		Female: []string{"Fatima", "Zahra", "Maryam", "Mursal", "Shabnam", "Parwana"},
		Family: []string{"Ahmadi", "Mohammadi", "Rahimi", "Karimi", "Hakimi", "Sultani", "Noori",
			"Haidari", "Jafari", "Azizi", "Safi", "Popal", "Stanikzai", "Ahmadzai", "Sharifi", "Amiri",
			"Wardak", "Hotak", "Durrani", "Shinwari", "Mohmand", "Yousufzai", "Habibi", "Sadat",
			"Akbari", "Nazari", "Qaderi", "Rasuli", "Khan", "Niazi", "Ghafoori", "Hashimi"},
		Neighbours:    []string{"Pakistani", "Iranian"},
		HomeOfficeRef: true,
	},
	{
		Nationality: "Iranian", Country: "Iran",
		Languages: []string{"Farsi", "Kurdish"},
		Weight:    0.05, MaleShare: 0.9, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Amir", "Ali", "Reza", "Mohammad", "Hossein", "Mehdi", "Arash", "Babak", "Dariush",
			"Farid", "Hamed", "Kian", "Kourosh", "Masoud", "Milad", "Mohsen", "Morteza", "Navid",
			"Omid", "Payam", "Pouya", "Ramin", "Saeed", "Sina", "Vahid", "Yasin", "Sajad", "Hadi",
			"Parsa", "Peyman", "Ehsan", "Kamran"},
		Female: []string{"Zahra", "Fatemeh", "Maryam", "Sara", "Nazanin", "Shirin", "Leila", "Parisa"},
		Family: []string{"Ahmadi", "Hosseini", "Mohammadi", "Rezaei", "Moradi", "Karimi", "Jafari",
			"Rahimi", "Kazemi", "Heidari", "Ghasemi", "Sadeghi", "Mousavi", "Hashemi", "Rostami",
			"Akbari", "Ebrahimi", "Amini", "Bagheri", "Najafi", "Zarei", "Azizi", "Mirzaei", "Bahrami",
			"Farahani", "Soltani", "Ghorbani", "Nouri", "Shahbazi", "Taheri"},
		Neighbours:    []string{"Iraqi", "Afghan"},
		HomeOfficeRef: true,
	},
	{
		Nationality: "Iraqi", Country: "Iraq",
		Languages: []string{"Kurdish", "Arabic"},
		Weight:    0.05, MaleShare: 0.9, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Ahmed", "Mohammed", "Ali", "Omar", "Hussein", "Karwan", "Rebwar", "Hawre",
			"Dilan", "Shwan", "Aram", "Kawa", "Soran", "Hemin", "Zana", "Bryar", "Diyar", "Sherzad",
			"Hogr", "Rekan", "Saman", "Mustafa", "Abdullah", "Yasin", "Bawar", "Alan", "Hardi", "Hiwa",
			"Karzan", "Sarbast", "Haider", "Mahdi"},
		Female: []string{"Shilan", "Nazdar", "Rozhin", "Shno", "Lana", "Avin", "Zainab", "Noor"},
		Family: []string{"Ahmed", "Mohammed", "Aziz", "Abdullah", "Rashid", "Mahmood", "Kareem", "Salih",
			"Qadir", "Hama", "Faraj", "Othman", "Ismail", "Hassan", "Hussein", "Jabbar", "Rasul",
			"Omar", "Sabir", "Sharif", "Tofiq", "Jalal", "Amin", "Majeed", "Hamad", "Khalil", "Kamal",
			"Ibrahim", "Mustafa", "Saeed"},
		Neighbours:    []string{"Iranian", "Syrian"},
		HomeOfficeRef: true,
	},
	{
		Nationality: "Romanian", Country: "Romania",
		Languages: []string{"Romanian"},
		Weight:    0.05, MaleShare: 0.6, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Andrei", "Alexandru", "Ionuț", "Mihai", "Florin", "Marius", "Cristian", "Gabriel",
			"Ștefan", "Adrian", "Daniel", "Bogdan", "Răzvan", "Constantin", "Vasile", "Nicolae",
			"Gheorghe", "Costel", "Fănel", "Marian", "Sorin", "Dănuț", "Cosmin", "Darius"},
		Female: []string{"Andreea", "Alexandra", "Ioana", "Maria", "Elena", "Denisa", "Bianca",
			"Florentina", "Roxana", "Nicoleta", "Mădălina", "Cosmina", "Larisa", "Alina"},
		Family: []string{"Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Stoica", "Gheorghe", "Rusu",
			"Munteanu", "Matei", "Constantin", "Ciobanu", "Lungu", "Marin", "Tudor", "Dinu", "Radu",
			"Ene", "Lazăr", "Stănescu", "Moldovan", "Dobre", "Bălan", "Florea", "Căldăraru", "Stanciu",
			"Niculae", "Sârbu", "Ursu", "Tănase"},
		Neighbours:    []string{"Moldovan", "Bulgarian"},
		HomeOfficeRef: false,
	},
	{
		Nationality: "Nigerian", Country: "Nigeria",
		Languages: []string{"English", "Edo", "Yoruba"},
		Weight:    0.06, MaleShare: 0.5, GivenSkew: 0.8, FamilySkew: 0.9,
		Male: []string{"Chinedu", "Chukwuemeka", "Ifeanyi", "Obinna", "Uchenna", "Oluwaseun", "Olamide",
			"Oluwatobi", "Ayomide", "Babatunde", "Segun", "Oluwafemi", "Kelechi", "Chidi", "Ikenna",
			"Osagie", "Osaro", "Efosa", "Osasere", "Daniel", "David", "Emmanuel", "Samuel", "Godwin"},
		Female: []string{"Blessing", "Precious", "Joy", "Favour", "Esther", "Glory", "Osasu", "Osaretin",
			"Ivie", "Efe", "Ngozi", "Chioma", "Adaeze", "Funmilayo", "Mercy", "Peace", "Grace",
			"Oluwadamilola", "Oghenekaro", "Princess"},
		Family: []string{"Okafor", "Okonkwo", "Eze", "Nwosu", "Obi", "Adeyemi", "Adebayo", "Ogunleye",
			"Balogun", "Olawale", "Osagie", "Igbinedion", "Omoregie", "Osaze", "Ehigiator", "Obaseki",
			"Idahosa", "Aigbe", "Uwaifo", "Ekpo", "Bassey", "Okoro", "Ogbonna", "Afolabi", "Edobor",
			"Iyamu", "Osayande", "Eghosa", "Akpan", "Ibe"},
		Neighbours:    []string{"Ghanaian"},
		HomeOfficeRef: true,
	},
}
