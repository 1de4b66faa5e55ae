package httpapi

import (
	"context"
	"log/slog"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/notify"
	"hotline/crm/service"
)

// DeskStore is what the operations of other features that RegisterTickets
// still adds read and write: teams, the knowledge base and notifications.
// Transitional (issue 22): each of them moves to a Register function of its
// own with its domain service, and this file goes with the last.
type DeskStore interface {
	CreateTeam(ctx context.Context, t *service.Team) error
	ListTeams(ctx context.Context) ([]service.Team, error)
	UpdateTeam(ctx context.Context, id int64, u service.TeamUpdate) (service.Team, error)
	DeleteTeam(ctx context.Context, id int64) error
	AddTeamMember(ctx context.Context, teamID, userID int64) error
	RemoveTeamMember(ctx context.Context, teamID, userID int64) error

	SaveArticle(ctx context.Context, a *service.Article) error
	GetArticle(ctx context.Context, id int64) (service.Article, error)
	ArticleVersions(ctx context.Context, id int64) ([]service.Article, error)
	SearchArticles(ctx context.Context, q service.ArticleQuery) ([]service.Hit, error)
	SuggestArticles(ctx context.Context, typed string, limit int) ([]service.Hit, error)
	EnsureCategory(ctx context.Context, name string) (int64, error)

	Notifications(ctx context.Context, userID int64, limit int) ([]service.Notification, error)
	UnreadNotifications(ctx context.Context, userID int64) (int, error)
	MarkNotificationsRead(ctx context.Context, userID, upTo int64) (int, error)
	ClientNotify(ctx context.Context, clientID int64) (notify.Preference, error)
	SetClientNotify(ctx context.Context, clientID int64, p notify.Preference) error
}

// ticketsAPI holds what the teams, knowledge-base and notification
// operations use (transitional, see DeskStore).
type ticketsAPI struct {
	store DeskStore
	log   *slog.Logger
}

// registerDeskOthers adds teams (admins edit), the knowledge base
// (supervisors and admins edit) and notifications.
func registerDeskOthers(api huma.API, store DeskStore, log *slog.Logger) {
	s := &ticketsAPI{store: store, log: log}
	s.registerTeams(api)
	s.registerKB(api)
	s.registerNotifications(api)
}

// problem maps a domain or store error to a problem response.
func (s *ticketsAPI) problem(ctx context.Context, err error) error {
	return problemFor(ctx, s.log, err)
}
