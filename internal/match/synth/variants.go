package synth

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// spellings are names that reach a record in several romanisations or
// spellings. Each line is one name; the first spelling is not more right
// than the others.
var spellings = [][]string{
	// Arabic, Persian, Pashto and Kurdish names, romanised by whoever wrote
	// them down: the port officer, the interpreter, the school.
	{"Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohamad", "Mohammod"},
	{"Ahmed", "Ahmad", "Ahmet", "Ahmmed"},
	{"Abdullah", "Abdallah", "Abdulla", "Abdalla"},
	{"Abdelrahman", "Abdulrahman", "Abdul Rahman", "Abdirahman", "Abdel Rahman"},
	{"Abdelrahim", "Abdulrahim", "Abdul Rahim"},
	{"Hussein", "Hussain", "Husein", "Hossein", "Hosein"},
	{"Hassan", "Hasan"},
	{"Omar", "Umar", "Omer"},
	{"Osman", "Othman", "Usman", "Uthman"},
	{"Yousif", "Yusuf", "Yousef", "Youssef", "Yusif"},
	{"Ibrahim", "Ebrahim", "Ibraheem"},
	{"Ismail", "Ismael", "Esmail", "Ismayil"},
	{"Mustafa", "Mostafa", "Moustafa", "Mustapha"},
	{"Mahmoud", "Mahmood", "Mahmud"},
	{"Khalid", "Khaled"},
	{"Idris", "Idriss", "Edris"},
	{"Suliman", "Sulaiman", "Suleiman", "Soliman"},
	{"Abubakar", "Abu Bakr", "Abobakr", "Abubaker"},
	{"Nasir", "Nasser", "Naser"},
	{"Haroun", "Harun", "Haroon"},
	{"Ishag", "Ishaq", "Ishak"},
	{"Yagoub", "Yaqub", "Yacoub"},
	{"Gibril", "Jibril", "Jebril"},
	{"Elhadi", "El Hadi", "Al-Hadi", "Alhadi"},
	{"Elnour", "El Nour", "Alnour", "Al-Nur"},
	{"Elamin", "El Amin", "Al-Amin"},
	{"Elsheikh", "El Sheikh", "Alsheikh"},
	{"Elsadig", "El Sadig", "Alsadiq"},
	{"Nasreldin", "Nasr Eldin", "Nasreddin"},
	{"Bakheet", "Bakhit", "Bakhiet"},
	{"Babiker", "Babikir", "Babakir"},
	{"Abakar", "Abaker", "Abbakar"},
	{"Yahya", "Yehia", "Yahia"},
	{"Tahir", "Taher"},
	{"Bashir", "Basheer"},
	{"Saleh", "Salih", "Salah"},
	{"Qadir", "Kadir", "Qader", "Kader"},
	{"Kareem", "Karim"},
	{"Aziz", "Azeez"},
	{"Rashid", "Rasheed", "Rachid"},
	{"Majeed", "Majid"},
	{"Tofiq", "Tawfiq", "Tawfeeq", "Tofeeq"},
	{"Rasul", "Rasool", "Rassoul"},
	{"Sabir", "Saber"},
	{"Sharif", "Sherif", "Shareef"},
	{"Amin", "Ameen"},
	{"Jabbar", "Jabar"},
	{"Hama", "Hamma"},
	{"Haider", "Haidar", "Hayder"},
	{"Mahdi", "Mehdi"},
	{"Saeed", "Said", "Sayed", "Saied"},
	{"Zainab", "Zeinab", "Zaynab"},
	{"Fatima", "Fatemeh", "Fatimah"},
	{"Maryam", "Mariam", "Maryum"},
	{"Aisha", "Aysha", "Ayesha"},
	{"Yasin", "Yaseen", "Yassin"},
	{"Noorullah", "Nurullah", "Noor Ullah"},
	{"Rahmatullah", "Rahmat Ullah", "Rahmatulla"},
	{"Zabiullah", "Zabihullah", "Zabi Ullah"},
	{"Samiullah", "Sami Ullah", "Samiulla"},
	{"Habibullah", "Habib Ullah", "Habibulla"},
	{"Javed", "Jawed", "Javid"},
	{"Qasim", "Kasim", "Qassim"},
	{"Sohail", "Suhail", "Sohayl"},
	{"Wahid", "Waheed", "Vahid"},
	{"Zakir", "Zaker", "Zakeer"},
	{"Omid", "Umid", "Omeed"},
	{"Shafiq", "Shafeeq", "Shafik"},
	{"Naveed", "Navid", "Nawid"},
	{"Elyas", "Ilyas", "Elias"},
	{"Abdul Wahid", "Abdulwahid", "Abdul Waheed"},
	{"Abdul Basir", "Abdulbasir", "Abdul Baseer"},
	{"Ahmadi", "Ahmady", "Ahmedi"},
	{"Mohammadi", "Mohamadi", "Muhammadi", "Mohammady"},
	{"Rahimi", "Rahimy", "Raheemi"},
	{"Karimi", "Karimy", "Kareemi"},
	{"Hakimi", "Hakimy", "Hakeemi"},
	{"Sultani", "Soltani", "Sultany"},
	{"Noori", "Nouri", "Nuri"},
	{"Haidari", "Heidari", "Haydari", "Haideri"},
	{"Jafari", "Jaafari", "Jafary", "Jaffari"},
	{"Azizi", "Azizy", "Azeezi"},
	{"Hosseini", "Husseini", "Hoseini", "Husaini"},
	{"Rezaei", "Rezaee", "Rezai", "Rezayi"},
	{"Mousavi", "Musavi", "Moosavi", "Musawi"},
	{"Ghasemi", "Qasemi", "Ghassemi"},
	{"Sadeghi", "Sadeqi", "Sadiqi"},
	{"Bagheri", "Baqeri", "Baghery"},
	{"Mirzaei", "Mirzaee", "Mirzai"},
	{"Ghorbani", "Qorbani", "Gorbani"},
	{"Ebrahimi", "Ibrahimi", "Ebrahemi"},
	{"Kazemi", "Kazimi", "Kadhimi"},
	{"Zarei", "Zaree", "Zarie"},
	{"Stanikzai", "Stanekzai", "Stanakzai"},
	{"Ahmadzai", "Ahmedzai", "Ahmadzay"},
	{"Yousufzai", "Yusufzai", "Yousafzai"},
	{"Shinwari", "Shinwary", "Shenwari"},
	{"Sharifi", "Sherifi", "Sharifee"},
	{"Qaderi", "Qadiri", "Kaderi"},
	{"Rasuli", "Rasooli", "Rassouli"},
	{"Ghafoori", "Ghafuri", "Ghafori"},
	{"Hashimi", "Hashemi", "Hashmi"},
	{"Kourosh", "Kurosh", "Koorosh"},
	{"Masoud", "Masood", "Masud"},
	{"Morteza", "Mortaza", "Murtaza"},
	{"Pouya", "Puya", "Pooya"},
	{"Peyman", "Payman", "Peiman"},
	{"Ehsan", "Ahsan", "Ehssan"},
	{"Sajad", "Sajjad"},
	{"Dariush", "Daryush", "Dariusz"},
	{"Rebwar", "Rebuar", "Rebwer"},
	{"Hawre", "Hawri", "Hawrey"},
	{"Shwan", "Shvan", "Shuan"},
	{"Rozhin", "Rojin", "Rozheen"},
	{"Hemin", "Hemn", "Himin"},
	// Tigrinya, written in Ge'ez script at home and romanised here.
	{"Tesfaye", "Tesfay", "Tesfai"},
	{"Yohannes", "Yohanes", "Yohanns", "Yohannis"},
	{"Yonas", "Yunus", "Jonas"},
	{"Dawit", "Dawitt", "Dawet"},
	{"Filmon", "Filimon", "Philemon"},
	{"Merhawi", "Mehrawi", "Merhawie"},
	{"Kidane", "Kidan", "Kidani"},
	{"Tewelde", "Tewolde", "Tewalde", "Teweldemedhin"},
	{"Berhane", "Berhe", "Birhane", "Berhani"},
	{"Ghirmay", "Girmay", "Ghirmai", "Girmai"},
	{"Habtom", "Habtu", "Habtum"},
	{"Amanuel", "Emmanuel", "Amanual"},
	{"Biniam", "Biniyam", "Binyam"},
	{"Semere", "Semre", "Semer"},
	{"Mebrahtu", "Mebrahtom", "Mbrahtu"},
	{"Tsegay", "Tsegaye", "Tsegai", "Tsegey"},
	{"Tekle", "Teklay", "Tecle", "Tekley"},
	{"Woldu", "Weldu", "Woldo"},
	{"Kibrom", "Kbrom", "Kiflom"},
	{"Efrem", "Ephrem", "Ephraim"},
	{"Natnael", "Nathnael", "Natanael"},
	{"Mussie", "Musie", "Mussi"},
	{"Goitom", "Goytom", "Gaitom"},
	{"Teklit", "Tekilit", "Teklet"},
	{"Freweyni", "Fireweyni", "Frewoini"},
	{"Tesfamariam", "Tesfamaryam", "Tesfa Mariam", "Tesfamariyam"},
	{"Ghebreyesus", "Gebreyesus", "Ghebreyesous", "Gebre Yesus"},
	{"Weldemichael", "Woldemichael", "Weldemikael", "Wolde Michael"},
	{"Haile", "Hayle", "Hailay"},
	{"Andemariam", "Andemaryam", "Ande Mariam"},
	{"Yemane", "Yemani", "Yemaneh"},
	{"Ghebrehiwet", "Gebrehiwot", "Ghebrehiwot"},
	{"Ghebremedhin", "Gebremedhin", "Ghebre Medhin"},
	{"Okbay", "Ogbay", "Okbai"},
	{"Zerai", "Zeray", "Zerei"},
	{"Kahsay", "Kassay", "Kahsai"},
	{"Hagos", "Hagoss", "Hagose"},
	{"Asfaha", "Asfeha", "Asfha"},
	{"Teklemariam", "Teklemaryam", "Tekle Mariam"},
	{"Gebru", "Ghebru", "Gebrou"},
	{"Abraha", "Abreha", "Abrha"},
	{"Mehari", "Mihari", "Meharie"},
	{"Hiwet", "Hiwot", "Heywet"},
	// Albanian: ë and ç dropped, xh written as the English ear hears it.
	{"Xhulio", "Julio", "Xulio"},
	{"Xhesika", "Jessika", "Xhessika"},
	{"Hoxha", "Hodja", "Hoxa", "Hoca"},
	{"Xhafa", "Jafa", "Xafa"},
	{"Kejsi", "Kejsy", "Keisi"},
	{"Klajdi", "Klaidi", "Klajdy"},
	{"Rigels", "Rigel", "Rixhels"},
	{"Krasniqi", "Krasniqui", "Krasnici"},
	{"Zeqiri", "Zekiri", "Zeciri"},
	{"Gjoka", "Gjoca", "Djoka"},
	// Vietnamese, beyond the diacritics.
	{"Nguyễn", "Nguyen", "Ngyuen", "Nguen", "Nguyn"},
	{"Huỳnh", "Huynh", "Hyunh"},
	{"Lê", "Le", "Lee"},
	{"Phạm", "Pham", "Fam"},
	{"Lý", "Ly", "Lee"},
	{"Dương", "Duong", "Zuong"},
	{"Quỳnh", "Quynh", "Quinh"},
	// Nigerian and Edo names, often shortened or spelt by ear.
	{"Oluwaseun", "Oluwasheun", "Oluseun"},
	{"Oluwatobi", "Olutobi", "Oluwatobiloba"},
	{"Oluwafemi", "Olufemi"},
	{"Chukwuemeka", "Chukwuemika", "Chukwu Emeka"},
	{"Osasere", "Osasare", "Osaseri"},
	{"Igbinedion", "Igbinideon", "Igbinedeon"},
	{"Omoregie", "Omoregbe", "Omoregi"},
	{"Ehigiator", "Ehigiato", "Ehigator"},
	// Romanian: ș and ț dropped, or written sh and tz.
	{"Ionuț", "Ionut", "Ionutz"},
	{"Ștefan", "Stefan", "Shtefan"},
	{"Dănuț", "Danut", "Danutz"},
	{"Căldăraru", "Caldararu", "Kaldararu"},
	// English spellings that sound alike.
	{"Kayleigh", "Kayley", "Kaylee", "Kaley"},
	{"Jayden", "Jaiden", "Jaden", "Jaydon"},
	{"Reece", "Rhys", "Reese"},
	{"Connor", "Conor", "Conner"},
	{"Callum", "Calum", "Kallum"},
	{"Kieran", "Kieron", "Ciaran"},
	{"Keira", "Kiera", "Kira"},
	{"Leah", "Lea", "Leia"},
	{"Clarke", "Clark"},
	{"Thompson", "Thomson", "Tompson"},
	{"Tyrese", "Tyreese", "Tyreece"},
	{"Aaliyah", "Aliyah", "Aleah"},
	{"Mohammed", "Mohammad"},
	{"Hussain", "Hussein", "Husain"},
	{"Griffiths", "Griffith", "Griffits"},
	{"McDonald", "MacDonald", "Mcdonald"},
	{"O'Neill", "O Neill", "ONeill", "O'Neil"},
	{"Stewart", "Stuart"},
}

// nicknames are short or familiar forms of given names, and street names
// a child is known by to peers and exploiters (§5.1).
var nicknames = map[string][]string{
	"Mohammed": {"Mo", "Moe", "Hamoudi"}, "Mohammad": {"Mo", "Hamid"},
	"Muhammad": {"Mo"}, "Abdelrahman": {"Abdo", "Rahman"}, "Abdullah": {"Abdi", "Abdo"},
	"Ibrahim": {"Ibo", "Bram"}, "Mustafa": {"Musti"}, "Abubakar": {"Bakar", "Abu"},
	"Osman": {"Ossi"}, "Yousif": {"Joe", "Yusi"}, "Alexandru": {"Alex"}, "Cristian": {"Cristi"},
	"Gheorghe": {"George", "Gica"}, "Constantin": {"Costi"}, "Nicolae": {"Nicu"},
	"Chukwuemeka": {"Emeka"}, "Oluwatobi": {"Tobi"}, "Oluwaseun": {"Seun"},
	"Oluwafemi": {"Femi"}, "Babatunde": {"Tunde"}, "Oluwadamilola": {"Dami", "Lola"},
	"Joshua": {"Josh"}, "Thomas": {"Tom", "Tommy"}, "Daniel": {"Dan", "Danny"},
	"Nathan": {"Nate"}, "Jordan": {"Jord"}, "Bradley": {"Brad"}, "Callum": {"Cal"},
	"Kieran": {"Kez"}, "Kayleigh": {"Kay"}, "Jasmine": {"Jas", "Jazz"}, "Courtney": {"Court"},
	"Bethany": {"Beth"}, "Charlie": {"Chaz"}, "Alfie": {"Alf"}, "Marcus": {"Marc"},
	"Samuel": {"Sam", "Sami"}, "Yohannes": {"John", "Jo"}, "Amanuel": {"Amani", "Manu"},
	"Abraham": {"Abe"}, "Natnael": {"Nati"}, "Biniam": {"Bini"}, "Mebrahtu": {"Mebre"},
	"Habibullah": {"Habib"}, "Rahmatullah": {"Rahmat"}, "Noorullah": {"Noor"},
	"Zabiullah": {"Zabi"}, "Samiullah": {"Sami"}, "Kristian": {"Kris"}, "Xhulio": {"Xhuli"},
	"Florian": {"Flori"}, "Gentian": {"Genti"}, "Fatjon": {"Fati"}, "Ardit": {"Dit"},
}

// streetNames are names a child is given by those who exploit them or
// takes on the street; none says anything about who they are.
var streetNames = []string{"Little T", "Kizzy", "Smokey", "Ghost", "Shorty", "Lil J", "Tiny",
	"Prince", "Scrappy", "Youngin", "Skinny", "Chico", "Red", "Blade", "Sunny", "Kiddo", "Bambi",
	"Snowy", "Junior", "Rocky", "Blue", "Lucky", "Zee", "Mouse", "Bugsy"}

// variantIndex maps a lower-case name, diacritics removed, to the lines of
// spellings it belongs to.
var variantIndex = func() map[string][]int {
	idx := map[string][]int{}
	for i, line := range spellings {
		for _, s := range line {
			k := foldKey(s)
			idx[k] = append(idx[k], i)
		}
	}
	return idx
}()

func foldKey(s string) string { return strings.ToLower(stripDiacritics(s)) }

// stripDiacritics removes the marks a UK system or a hurried keyboard
// drops: Nguyễn becomes Nguyen, Çela Cela, Ștefan Stefan. Đ has no
// decomposition, so it is mapped by hand.
func stripDiacritics(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// ruleVariants are the changes romanisation makes to names found in no
// line of spellings: vowels heard differently, letters doubled or not,
// a final -y for -i.
var ruleVariants = [][2]string{
	{"ou", "u"}, {"oo", "u"}, {"ee", "i"}, {"mm", "m"}, {"dd", "d"}, {"ss", "s"}, {"ll", "l"},
	{"ph", "f"}, {"gh", "g"}, {"kh", "k"}, {"q", "k"}, {"aye", "ay"}, {"ie", "i"}, {"ei", "ai"},
	{"we", "wo"}, {"e", "a"}, {"o", "u"}, {"i", "ee"}, {"u", "ou"},
}
