package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"hotline/crm"
)

var (
	maleFirst = []string{"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
		"Кирилл", "Михаил", "Никита", "Роман", "Егор", "Павел", "Владимир", "Николай", "Олег", "Игорь", "Евгений", "Константин"}
	femaleFirst = []string{"Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Екатерина",
		"Светлана", "Юлия", "Анастасия", "Дарья", "Ксения", "Виктория", "Полина", "Алина", "Людмила", "Галина"}
	// surnames in the masculine form; the feminine adds "а".
	surnames = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков",
		"Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов",
		"Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев",
		"Григорьев", "Романов", "Воробьёв", "Сергеев", "Кириллов", "Тарасов", "Белов", "Комаров", "Медведев", "Антонов"}
	companyForms = []string{"ООО", "ООО", "ООО", "АО", "ПАО", "ИП"}
	brandHeads   = []string{"Техно", "Строй", "Агро", "Мед", "Эко", "Энерго", "Транс", "Инвест", "Сибирь", "Урал",
		"Волга", "Нева", "Север", "Альфа", "Гранд", "Про", "Мега", "Авто", "Лес", "Дом"}
	brandTails = []string{"Сервис", "Групп", "Трейд", "Строй", "Логистик", "Комплект", "Снаб", "Пром", "Маркет",
		"Системс", "Лайн", "Ресурс", "Холдинг", "Тех", "Снабжение", "Проект"}
	mailDomains = []string{"mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "rambler.ru"}
	mobileCodes = []string{"903", "905", "909", "915", "916", "917", "925", "926", "929", "977", "985", "911", "921", "999"}
	cityCodes   = []string{"495", "495", "495", "499", "812", "343", "383", "846"}
	tagPool     = []string{"опт", "розница", "постоянный", "новый", "сервис", "доставка", "b2b", "рассрочка", "тендер", "жалоба"}
	notePool    = []string{
		"Предпочитает звонки до обеда.",
		"Работает через бухгалтерию, счета на почту.",
		"Просил не звонить в выходные.",
		"Интересуется оптовыми скидками.",
		"Договор продлевается ежегодно в марте.",
		"Был недоволен сроками доставки, компенсировали скидкой.",
		"",
		"",
	}
	callSummaries = []string{"Вопрос по счёту", "Уточнение сроков доставки", "Заявка на сервисное обслуживание",
		"Консультация по тарифам", "Жалоба на качество", "Повторный заказ", "Смена контактного лица", "Запрос коммерческого предложения"}
	noteSummaries  = []string{"Перезвонить после оплаты", "Отправлено КП", "Согласована встреча", "Передано в сервисный отдел", "Клиент доволен решением"}
	emailSummaries = []string{"Счёт на оплату", "Акт сверки", "Коммерческое предложение", "Ответ на претензию", "Подтверждение заказа"}
)

// translit is a simple Russian-to-Latin table for email addresses.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya",
}

func latin(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if t, ok := translit[r]; ok {
			b.WriteString(t)
		} else if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// generator makes the demo clients and their timelines from one random source.
type generator struct {
	rng    *rand.Rand
	agents []int64
	now    time.Time
	phones map[string]bool
}

func newGenerator(rng *rand.Rand, agents []int64, now time.Time) *generator {
	return &generator{rng: rng, agents: agents, now: now, phones: map[string]bool{CallerNumber: true, outboundNumber: true}}
}

// outboundNumber is the number agent 1001 dials in the sip-outbound transcript.
const outboundNumber = "+74957654321"

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// phone returns a new unique number: a mobile or a city landline.
func (g *generator) phone(mobile bool) string {
	for {
		var n string
		if mobile {
			n = fmt.Sprintf("+79%s%07d", g.pick(mobileCodes)[1:], g.rng.IntN(10_000_000))
		} else {
			n = fmt.Sprintf("+7%s%d%06d", g.pick(cityCodes), 2+g.rng.IntN(8), g.rng.IntN(1_000_000))
		}
		if !g.phones[n] {
			g.phones[n] = true
			return n
		}
	}
}

// priority spreads classes: about 5% VIP, 15% A, 30% B, 50% C.
func (g *generator) priority() string {
	switch p := g.rng.IntN(100); {
	case p < 5:
		return "VIP"
	case p < 20:
		return "A"
	case p < 50:
		return "B"
	}
	return "C"
}

func (g *generator) owner() *int64 {
	if len(g.agents) == 0 || g.rng.IntN(10) < 3 {
		return nil
	}
	id := g.agents[g.rng.IntN(len(g.agents))]
	return &id
}

func (g *generator) tags() []string {
	var tags []string
	for range g.rng.IntN(3) {
		t := g.pick(tagPool)
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

// clients returns n clients: the transcripts' caller first, a company that
// the outbound transcript dials, then people and companies, some sharing an
// office line or a home number.
func (g *generator) clients(n int) []crm.Client {
	out := []crm.Client{
		{Kind: crm.ClientPerson, Name: CallerName, Company: "ООО «Ромашка»", Priority: "VIP", OwnerID: g.owner(),
			Tags: []string{"постоянный", "опт"}, Notes: "Звонящий из записанных транскриптов ARI. Предпочитает звонки до обеда.",
			Contacts: []crm.Contact{
				{Kind: crm.ContactPhone, Value: CallerNumber, Raw: "+7 (495) 123-45-67", Label: "office"},
				{Kind: crm.ContactPhone, Value: g.phone(true), Label: "mobile"},
				{Kind: crm.ContactEmail, Value: "ivan.petrov@romashka.example", Label: "work"},
			}},
		{Kind: crm.ClientCompany, Name: "ООО «ТехноСтрой»", Priority: "A", OwnerID: g.owner(), Tags: []string{"b2b"},
			Contacts: []crm.Contact{
				{Kind: crm.ContactPhone, Value: outboundNumber, Raw: "+7 495 765-43-21", Label: "reception"},
				{Kind: crm.ContactEmail, Value: "info@tekhnostroy.example", Label: "work"},
			}},
	}
	for len(out) < n {
		if g.rng.IntN(4) == 0 {
			out = append(out, g.companyWithStaff(n-len(out))...)
			continue
		}
		out = append(out, g.family(n-len(out))...)
	}
	return out
}

// person makes a private client; surname is in the masculine form.
func (g *generator) person(surname string, female bool) crm.Client {
	first, last := g.pick(maleFirst), surname
	if female {
		first, last = g.pick(femaleFirst), surname+"а"
	}
	c := crm.Client{Kind: crm.ClientPerson, Name: first + " " + last, Priority: g.priority(), OwnerID: g.owner(),
		Tags: g.tags(), Notes: g.pick(notePool)}
	c.Contacts = append(c.Contacts, crm.Contact{Kind: crm.ContactPhone, Value: g.phone(true), Label: "mobile"})
	if g.rng.IntN(2) == 0 {
		c.Contacts = append(c.Contacts, crm.Contact{Kind: crm.ContactEmail,
			Value: fmt.Sprintf("%s.%s%d@%s", latin(first), latin(last), g.rng.IntN(100), g.pick(mailDomains)), Label: "personal"})
	}
	return c
}

// family returns one person, or (one time in eight) two or three relatives
// sharing a home landline. At most room clients.
func (g *generator) family(room int) []crm.Client {
	surname := g.pick(surnames)
	if g.rng.IntN(8) != 0 || room < 2 {
		return []crm.Client{g.person(surname, g.rng.IntN(2) == 0)}
	}
	home := g.phone(false)
	size := min(room, 2+g.rng.IntN(2))
	out := make([]crm.Client, size)
	for i := range out {
		out[i] = g.person(surname, i%2 == 1)
		out[i].Contacts = append(out[i].Contacts, crm.Contact{Kind: crm.ContactPhone, Value: home, Label: "home"})
	}
	return out
}

// companyWithStaff returns a company and, sometimes, a contact person who
// shares the company's office line. At most room clients.
func (g *generator) companyWithStaff(room int) []crm.Client {
	brand := g.pick(brandHeads) + g.pick(brandTails)
	form := g.pick(companyForms)
	name := form + " «" + brand + "»"
	if form == "ИП" {
		s := g.pick(surnames)
		name, brand = "ИП "+s+" "+string([]rune(g.pick(maleFirst))[0])+".", s
	}
	office := g.phone(false)
	co := crm.Client{Kind: crm.ClientCompany, Name: name, Priority: g.priority(), OwnerID: g.owner(),
		Tags: g.tags(), Notes: g.pick(notePool),
		Contacts: []crm.Contact{
			{Kind: crm.ContactPhone, Value: office, Label: "office"},
			{Kind: crm.ContactEmail, Value: "info@" + latin(brand) + ".example", Label: "work"},
		}}
	if !slices.Contains(co.Tags, "b2b") {
		co.Tags = append(co.Tags, "b2b")
	}
	if g.rng.IntN(3) == 0 {
		co.Contacts = append(co.Contacts, crm.Contact{Kind: crm.ContactPhone, Value: g.phone(false), Label: "accounting"})
	}
	out := []crm.Client{co}
	if room >= 2 && g.rng.IntN(3) == 0 {
		p := g.person(g.pick(surnames), g.rng.IntN(2) == 0)
		p.Company = name
		p.Priority = co.Priority
		p.Contacts = append(p.Contacts, crm.Contact{Kind: crm.ContactPhone, Value: office, Label: "office"})
		out = append(out, p)
	}
	return out
}

// timeline returns one to four past entries for the client.
func (g *generator) timeline(c crm.Client) []crm.Interaction {
	n := 1 + g.rng.IntN(4)
	if c.Name == CallerName {
		n = 6
	}
	out := make([]crm.Interaction, n)
	for i := range out {
		at := g.now.Add(-time.Duration(g.rng.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Second)
		var user *int64
		if len(g.agents) > 0 {
			id := g.agents[g.rng.IntN(len(g.agents))]
			user = &id
		}
		in := crm.Interaction{ClientID: c.ID, At: at, UserID: user}
		switch g.rng.IntN(3) {
		case 0:
			in.Kind, in.Summary = crm.InteractionCall, g.pick(callSummaries)
			in.Body = fmt.Sprintf("Входящий звонок, длительность %d:%02d.", 1+g.rng.IntN(9), g.rng.IntN(60))
		case 1:
			in.Kind, in.Summary = crm.InteractionNote, g.pick(noteSummaries)
		default:
			in.Kind, in.Summary = crm.InteractionEmail, g.pick(emailSummaries)
		}
		out[i] = in
	}
	return out
}
