// Package demo loads demonstration data into an empty Hotline database: a
// few hundred Russian clients (people and companies) with phone numbers,
// emails, priority classes and timelines, five agents with endpoints
// PJSIP/1001..PJSIP/1005, two supervisors and an admin. The data is the same
// for the same seed; only generated passwords are random.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/service"
)

// Staff are the users and teams the demo adds and reads
// (postgres.Services.Users and .Teams).
type Staff struct {
	Users crm.UserService
	Teams service.TeamService
}

// Store is what seeding needs besides the staff; *postgres.Services satisfies it.
type Store interface {
	CreateClient(ctx context.Context, c *crm.Client) error
	AddInteraction(ctx context.Context, i *crm.Interaction) error
}

// DefaultSeed is the data seed used when Options.Seed is zero.
const DefaultSeed = 20261127

// DefaultClients is the number of clients seeded when Options.Clients is zero.
const DefaultClients = 300

// CallerNumber and CallerName are the caller of every recorded ARI
// transcript; the demo makes him a VIP client so screen pops find him.
const (
	CallerNumber = "+74951234567"
	CallerName   = "Ivan Petrov"
)

// Options tune seeding. The zero value seeds DefaultClients clients from
// DefaultSeed with random passwords.
type Options struct {
	Seed     uint64 // data seed; 0 means DefaultSeed
	Clients  int    // clients to create, at least 10; 0 means DefaultClients
	Password string // when set, every seeded user gets this password
	// Now anchors timeline dates (entries spread over the 90 days before);
	// time.Now when nil.
	Now func() time.Time
	// HashPassword hashes passwords; auth.HashPassword when nil.
	HashPassword func(string) (string, error)
	// Language is the staff's language ("ru", "en"): the centre's
	// HOTLINE_LANGUAGE, so that a newcomer signing in to the demo sees the
	// centre's language whatever the browser asks for (each may change it on
	// the profile page); "" leaves it to the browser.
	Language string
}

// Login is a seeded user with the password to log in with.
type Login struct {
	Login     string
	Name      string
	Role      crm.Role
	Endpoints []string
	Password  string
}

// Logins are the seeded users, admin first.
type Logins []Login

// Print writes the logins as a table, for `hotline demo seed` and `make run`.
func (ls Logins) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tPASSWORD\tROLE\tNAME\tENDPOINTS")
	for _, l := range ls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Login, l.Password, l.Role, l.Name, strings.Join(l.Endpoints, ","))
	}
	return tw.Flush()
}

// Seed fills an empty database. When any user exists it does nothing and
// returns no logins, so it is safe to call on every start. Seeding is not
// one transaction: if it fails half-way, empty the database and run it again.
func Seed(ctx context.Context, s Store, people Staff, opts Options) (Logins, error) {
	users, err := people.Users.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: check for users: %w", err)
	}
	if len(users) > 0 {
		return nil, nil
	}
	opts = opts.withDefaults()
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))

	logins, agents, err := seedUsers(ctx, people.Users, opts)
	if err != nil {
		return nil, err
	}
	g := newGenerator(rng, agents, opts.Now())
	for _, c := range g.clients(opts.Clients) {
		if err := s.CreateClient(ctx, &c); err != nil {
			return logins, fmt.Errorf("demo: create client %q: %w", c.Name, err)
		}
		for _, in := range g.timeline(c) {
			if err := s.AddInteraction(ctx, &in); err != nil {
				return logins, fmt.Errorf("demo: timeline of client %q: %w", c.Name, err)
			}
		}
	}
	return logins, nil
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Clients <= 0 {
		o.Clients = DefaultClients
	}
	if o.Clients < 10 {
		o.Clients = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HashPassword == nil {
		o.HashPassword = auth.HashPassword
	}
	return o
}

// staff are the seeded users: admin, supervisors, agents.
var staff = []crm.User{
	{Login: "admin", Name: "Администратор", Role: crm.RoleAdmin},
	{Login: "supervisor1", Name: "Елена Воронцова", Role: crm.RoleSupervisor},
	{Login: "supervisor2", Name: "Павел Громов", Role: crm.RoleSupervisor},
	{Login: "agent1", Name: "Анна Смирнова", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}},
	{Login: "agent2", Name: "Дмитрий Козлов", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1002"}},
	{Login: "agent3", Name: "Ольга Новикова", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1003"}},
	{Login: "agent4", Name: "Сергей Морозов", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1004"}},
	{Login: "agent5", Name: "Мария Лебедева", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1005"}},
}

// seedUsers creates the staff and returns their logins and the agents' ids.
func seedUsers(ctx context.Context, s crm.UserService, opts Options) (Logins, []int64, error) {
	var logins Logins
	var agents []int64
	for _, u := range staff {
		u.Endpoints = append([]string(nil), u.Endpoints...)
		u.Language = opts.Language
		pw := opts.Password
		if pw == "" {
			pw = auth.NewPassword(16)
		}
		hash, err := opts.HashPassword(pw)
		if err != nil {
			return nil, nil, fmt.Errorf("demo: hash password of %s: %w", u.Login, err)
		}
		if err := s.CreateUser(ctx, &u, hash); err != nil {
			return nil, nil, fmt.Errorf("demo: create user %s: %w", u.Login, err)
		}
		if u.Role == crm.RoleAgent {
			agents = append(agents, u.ID)
		}
		logins = append(logins, Login{Login: u.Login, Name: u.Name, Role: u.Role, Endpoints: u.Endpoints, Password: pw})
	}
	return logins, agents, nil
}
