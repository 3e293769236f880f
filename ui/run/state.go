package run

import "github.com/okta-device-wizard/okta-device-wizard/okta"

// StepState is where one request of a run stands.
type StepState int

const (
	StepPending StepState = iota
	StepRunning
	StepDone
	StepFailed
	StepSkipped // done by an earlier run of the same journal, or nothing to do
	StepUndone  // rolled back
	StepKept    // left alone by a roll back: the object existed before this run
	StepUnknown // sent by an earlier attempt without an answer: looked up before anything is sent
)

// Event is one progress report of a run, as the submit screen needs it.
type Event struct {
	Index int
	State StepState
	ID    string // id of the object the step created or touched
	Err   error
}

// submitMode says whether the screen sends a plan or rolls a journal back.
type submitMode int

const (
	modeRun submitMode = iota
	modeRollback
)

// Messages of the submit screen's background run.
type (
	submitEventMsg struct {
		s  *Submit
		ev Event
	}
	submitNoticeMsg struct {
		s *Submit
		n okta.Notice
	}
	submitDoneMsg struct {
		s       *Submit
		created map[string]string
		err     error
	}
)
