package survey

import (
	"context"
	"fmt"

	"hotline/crm"
)

// InteractionFollowUp is the timeline kind of a low-score note for supervisors.
const InteractionFollowUp crm.InteractionKind = "survey_followup"

// TimelineFollowUps opens a follow-up as a note on the client's timeline,
// of kind survey_followup (flagged for supervisors). A low score without a
// known client stays visible as a low answer in the survey results.
type TimelineFollowUps struct{ Timeline Timeline }

// OpenFollowUp writes the note.
func (t TimelineFollowUps) OpenFollowUp(ctx context.Context, f FollowUp) error {
	if f.Response.ClientID == nil {
		return nil
	}
	who := "no agent"
	if f.Response.Agent != "" {
		who = "agent " + f.Response.Agent
	}
	i := &crm.Interaction{ClientID: *f.Response.ClientID, Kind: InteractionFollowUp, At: f.Response.StartedAt,
		Summary: fmt.Sprintf("For supervisor: low score %d on %q (%s)", f.Value, f.Question.Key, who),
		Body: fmt.Sprintf("Survey %q, question %q (%s), response %d, call %s, caller %s. Please call the client back.",
			f.Survey.Name, f.Question.Key, f.Question.Text, f.Response.ID, f.Response.LinkedID, f.Response.Caller),
		RefType: "survey_followup", RefID: fmt.Sprintf("%d/%s", f.Response.ID, f.Question.Key)}
	if err := t.Timeline.AddInteraction(ctx, i); err != nil && !crm.IsKind(err, crm.KindConflict) {
		return fmt.Errorf("survey follow-up note: %w", err)
	}
	return nil
}
