package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
)

// ProjectDeps are what RegisterProjects needs.
type ProjectDeps struct {
	Projects resource.ProjectService
	Logger   *slog.Logger
}

// projectHandlers serve resource planning.
type projectHandlers struct {
	resourceProblems
	projects resource.ProjectService
}

// RegisterProjects adds resource planning: everyone reads projects and
// their Gantt chart and MSPDI export; supervisors and admins create
// projects and import dates edited in Microsoft Project or ProjectLibre.
func RegisterProjects(api *Server, deps ProjectDeps) {
	h := projectHandlers{resourceProblems: newResourceProblems(deps.Logger), projects: deps.Projects}
	a := api.API()
	get := func(id, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: http.MethodGet, Path: path, Tags: []string{"projects"}, Summary: summary}
	}
	xmlResp := map[string]*huma.Response{"200": {Description: "MSPDI", Content: map[string]*huma.MediaType{"application/xml": {}}}}
	svgResp := map[string]*huma.Response{"200": {Description: "SVG", Content: map[string]*huma.MediaType{"image/svg+xml": {}}}}
	exportOp, ganttOp := get("export-project-mspdi", "/api/v1/projects/{id}/mspdi", "Microsoft Project XML (MSPDI) of a project"),
		get("project-gantt", "/api/v1/projects/{id}/gantt.svg", "Gantt chart (SVG)")
	exportOp.Responses, ganttOp.Responses = xmlResp, svgResp
	createOp := get("create-project", "/api/v1/projects", "Plan a project; tasks are scheduled on working days")
	createOp.Method, createOp.DefaultStatus = http.MethodPost, http.StatusCreated
	importOp := get("import-project-mspdi", "/api/v1/projects/{id}/mspdi", "Update task dates from an MSPDI file")
	importOp.Method, importOp.MaxBodyBytes = http.MethodPut, maxMSPDIBytes

	Register(a, AnyRole, get("list-projects", "/api/v1/projects", "Projects, newest first"), h.list)
	Register(a, SupervisorOrAdmin, createOp, h.create)
	Register(a, AnyRole, get("get-project", "/api/v1/projects/{id}", "A project with its tasks"), h.get)
	Register(a, AnyRole, exportOp, h.exportMSPDI)
	Register(a, SupervisorOrAdmin, importOp, h.importMSPDI)
	Register(a, AnyRole, ganttOp, h.gantt)
}

// maxMSPDIBytes caps an imported MSPDI file.
const maxMSPDIBytes = 8 << 20

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

func (h projectHandlers) list(ctx context.Context, in *struct {
	ClientID int64 `query:"client_id" minimum:"0"`
}) (*projectsOutput, error) {
	list, err := h.projects.ListProjects(ctx, in.ClientID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &projectsOutput{}
	out.Body.Projects = list
	return out, nil
}

func (h projectHandlers) get(ctx context.Context, in *idPath) (*projectOutput, error) {
	pr, err := h.projects.GetProject(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &projectOutput{Body: pr}, nil
}

func (h projectHandlers) exportMSPDI(ctx context.Context, in *idPath) (*xmlOutput, error) {
	pr, err := h.projects.GetProject(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	var buf bytes.Buffer
	if err := resource.ExportMSPDI(&buf, pr); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &xmlOutput{ContentType: "application/xml", ContentDisposition: `attachment; filename="project.xml"`, Body: buf.Bytes()}, nil
}

func (h projectHandlers) importMSPDI(ctx context.Context, in *struct {
	ID      int64  `path:"id" minimum:"1"`
	RawBody []byte `contentType:"application/xml"`
}) (*importOutput, error) {
	dates, err := resource.ImportMSPDI(bytes.NewReader(in.RawBody), maxMSPDIBytes)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	n, err := h.projects.ApplyTaskDates(ctx, in.ID, dates)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &importOutput{}
	out.Body.Updated = n
	return out, nil
}

func (h projectHandlers) gantt(ctx context.Context, in *idPath) (*xmlOutput, error) {
	pr, err := h.projects.GetProject(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &xmlOutput{ContentType: "image/svg+xml", Body: []byte(resource.GanttSVG(pr))}, nil
}

func (h projectHandlers) create(ctx context.Context, in *createProjectInput) (*projectOutput, error) {
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
	if err := h.projects.CreateProject(ctx, &pr); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &projectOutput{Body: pr}, nil
}
