package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
)

// ProjectStore is what the planning operations need (crm/postgres.Store).
type ProjectStore interface {
	CreateProject(ctx context.Context, p *resource.Project) error
	GetProject(ctx context.Context, id int64) (resource.Project, error)
	ListProjects(ctx context.Context, clientID int64) ([]resource.Project, error)
	ApplyTaskDates(ctx context.Context, projectID int64, dates []resource.TaskDates) (int, error)
}

type projectsAPI struct {
	*resourceAPI
	store ProjectStore
}

// RegisterProjects adds resource planning: everyone reads projects and
// their Gantt chart and MSPDI export; supervisors and admins create
// projects and import dates edited in Microsoft Project or ProjectLibre.
func RegisterProjects(api huma.API, store ProjectStore, deps ResourceDeps) {
	p := &projectsAPI{resourceAPI: newResourceAPI(deps), store: store}
	p.register(api)
}

type newTask struct {
	Name         string  `json:"name" minLength:"1" maxLength:"200"`
	DurationDays int     `json:"duration_days" minimum:"0" maximum:"3650"`
	DependsOn    []int64 `json:"depends_on,omitempty" doc:"1-based positions of earlier or later tasks in this list"`
	Assigned     []int64 `json:"assigned,omitempty" doc:"1-based positions in resources"`
}

type newAsset struct {
	Name   string `json:"name" minLength:"1" maxLength:"200"`
	Kind   string `json:"kind" enum:"user,equipment,material"`
	UserID *int64 `json:"user_id,omitempty"`
}

type createProjectInput struct {
	Body struct {
		Name      string     `json:"name" minLength:"1" maxLength:"200"`
		ClientID  *int64     `json:"client_id,omitempty"`
		DealID    *int64     `json:"deal_id,omitempty"`
		Start     string     `json:"start" pattern:"^\\d{4}-\\d{2}-\\d{2}$" doc:"first day, YYYY-MM-DD"`
		Tasks     []newTask  `json:"tasks" minItems:"1" maxItems:"2000"`
		Resources []newAsset `json:"resources,omitempty" maxItems:"500"`
	}
}

type projectOutput struct{ Body resource.Project }

type projectsOutput struct {
	Body struct {
		Projects []resource.Project `json:"projects"`
	}
}

type xmlOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition,omitempty"`
	Body               []byte
}

type importOutput struct {
	Body struct {
		Updated int `json:"updated"`
	}
}

func (p *projectsAPI) register(api huma.API) {
	tags := []string{"projects"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-projects", Method: http.MethodGet, Path: "/api/v1/projects", Tags: tags,
		Summary: "Projects, newest first"}, func(ctx context.Context, in *struct {
		ClientID int64 `query:"client_id" minimum:"0"`
	}) (*projectsOutput, error) {
		list, err := p.store.ListProjects(ctx, in.ClientID)
		if err != nil {
			return nil, p.problem(ctx, err)
		}
		out := &projectsOutput{}
		out.Body.Projects = list
		return out, nil
	})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "create-project", Method: http.MethodPost, Path: "/api/v1/projects", Tags: tags,
		Summary: "Plan a project; tasks are scheduled on working days", DefaultStatus: http.StatusCreated}, p.create)
	Register(api, AnyRole, huma.Operation{OperationID: "get-project", Method: http.MethodGet, Path: "/api/v1/projects/{id}", Tags: tags,
		Summary: "A project with its tasks"}, func(ctx context.Context, in *idPath) (*projectOutput, error) {
		pr, err := p.store.GetProject(ctx, in.ID)
		if err != nil {
			return nil, p.problem(ctx, err)
		}
		return &projectOutput{Body: pr}, nil
	})
	xmlResp := map[string]*huma.Response{"200": {Description: "MSPDI", Content: map[string]*huma.MediaType{"application/xml": {}}}}
	Register(api, AnyRole, huma.Operation{OperationID: "export-project-mspdi", Method: http.MethodGet, Path: "/api/v1/projects/{id}/mspdi",
		Tags: tags, Summary: "Microsoft Project XML (MSPDI) of a project", Responses: xmlResp}, func(ctx context.Context, in *idPath) (*xmlOutput, error) {
		pr, err := p.store.GetProject(ctx, in.ID)
		if err != nil {
			return nil, p.problem(ctx, err)
		}
		var buf bytes.Buffer
		if err := resource.ExportMSPDI(&buf, pr); err != nil {
			return nil, p.problem(ctx, err)
		}
		return &xmlOutput{ContentType: "application/xml", ContentDisposition: `attachment; filename="project.xml"`, Body: buf.Bytes()}, nil
	})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "import-project-mspdi", Method: http.MethodPut, Path: "/api/v1/projects/{id}/mspdi",
		Tags: tags, Summary: "Update task dates from an MSPDI file", MaxBodyBytes: 8 << 20}, func(ctx context.Context, in *struct {
		ID      int64  `path:"id" minimum:"1"`
		RawBody []byte `contentType:"application/xml"`
	}) (*importOutput, error) {
		dates, err := resource.ImportMSPDI(bytes.NewReader(in.RawBody), 8<<20)
		if err != nil {
			return nil, p.problem(ctx, err)
		}
		n, err := p.store.ApplyTaskDates(ctx, in.ID, dates)
		if err != nil {
			return nil, p.problem(ctx, err)
		}
		out := &importOutput{}
		out.Body.Updated = n
		return out, nil
	})
	svgResp := map[string]*huma.Response{"200": {Description: "SVG", Content: map[string]*huma.MediaType{"image/svg+xml": {}}}}
	Register(api, AnyRole, huma.Operation{OperationID: "project-gantt", Method: http.MethodGet, Path: "/api/v1/projects/{id}/gantt.svg",
		Tags: tags, Summary: "Gantt chart (SVG)", Responses: svgResp}, func(ctx context.Context, in *idPath) (*xmlOutput, error) {
		pr, err := p.store.GetProject(ctx, in.ID)
		if err != nil {
			return nil, p.problem(ctx, err)
		}
		return &xmlOutput{ContentType: "image/svg+xml", Body: []byte(resource.GanttSVG(pr))}, nil
	})
}

func (p *projectsAPI) create(ctx context.Context, in *createProjectInput) (*projectOutput, error) {
	b := in.Body
	start, err := time.Parse(time.DateOnly, b.Start)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity("start: want YYYY-MM-DD")
	}
	pr := resource.Project{Name: b.Name, ClientID: b.ClientID, DealID: b.DealID, Start: start}
	for _, t := range b.Tasks {
		pr.Tasks = append(pr.Tasks, resource.Task{Name: t.Name, DurationDays: t.DurationDays, DependsOn: t.DependsOn, Assigned: t.Assigned})
	}
	for _, r := range b.Resources {
		pr.Resources = append(pr.Resources, resource.PlanAsset{Name: r.Name, Kind: resource.AssetKind(r.Kind), UserID: r.UserID})
	}
	if err := p.store.CreateProject(ctx, &pr); err != nil {
		return nil, p.problem(ctx, err)
	}
	return &projectOutput{Body: pr}, nil
}
