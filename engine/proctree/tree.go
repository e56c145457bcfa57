// Package proctree builds process trees from process-creation logs, as msticpy's
// process tree does: the parent of a process is the latest process on the same
// host with the parent's id (and name, where the log has it) that started at or
// before it; parents never seen in the log are inferred so that every process
// hangs from a root. Seven log schemas are recognised, and any other log can be
// mapped by column.
//
// The package is pure Go with no I/O: it works on engine/frame tables.
package proctree

import "time"

// Proc is one process in a tree.
type Proc struct {
	// Row is the process's row in the input frame, -1 for an inferred parent.
	Row int
	// Key and ParentKey are msticpy's proc_key and parent_key:
	// "name|pid|timestamp" with the name lower-cased and the time to 10 µs.
	Key, ParentKey string
	// Name is the process image as the log gives it (a path or a file name).
	Name string
	// PID and PPID are the process and parent ids as the log writes them.
	PID, PPID string
	// Time is when the process started (zero for an inferred parent).
	Time time.Time
	// CmdLine, User, Host and LogonID are empty when the log lacks them.
	// LogonID is msticpy's EffectiveLogonId: the target logon id where the log
	// has one (and it is not 0x0), else the subject's.
	CmdLine, User, Host, LogonID string
	// ParentName is the parent's image as the child's row names it.
	ParentName string
	// Parent is the index of the parent in Tree.Procs, -1 for a root.
	Parent int
	// Children are the indexes of the children, ordered by start time.
	Children []int
	// Depth is 0 for a root.
	Depth int
	// Source is msticpy's source index: the input row, or for a process not in
	// the input (inferred, or derived from Defender's Initiating* columns) a number
	// after the last row. Tree.Path joins them from the root down.
	Source int
	// Inferred reports a parent made up from its children's rows.
	Inferred bool
	// Marks are the suspicion rules the process matched (see Rules.Mark); marks
	// highlight, they are not verdicts.
	Marks []Mark
}

// IsRoot, IsLeaf and IsBranch are msticpy's: a root has no parent, a leaf no
// children, and a branch has both.
func (p *Proc) IsRoot() bool   { return p.Parent < 0 }
func (p *Proc) IsLeaf() bool   { return len(p.Children) == 0 }
func (p *Proc) IsBranch() bool { return p.Parent >= 0 && len(p.Children) > 0 }

// Mark is a suspicion rule a process matched.
type Mark struct {
	// Rule is the rule's name ("encoded-powershell").
	Rule string
	// Severity is "low", "medium" or "high".
	Severity string
	// Description says what the rule looks for.
	Description string
}

// Tree is the processes of a log, ordered depth-first: each root (roots by
// start time) followed by its descendants, children by start time.
type Tree struct {
	// Schema is the schema the log was read with.
	Schema Schema
	// Procs are the processes in tree order.
	Procs []Proc
	// Roots are the indexes of the roots.
	Roots []int
}

// Summary is msticpy's get_summary_info.
type Summary struct {
	Processes         int `json:"Processes"`
	RootProcesses     int `json:"RootProcesses"`
	LeafProcesses     int `json:"LeafProcesses"`
	BranchProcesses   int `json:"BranchProcesses"`
	IsolatedProcesses int `json:"IsolatedProcesses"`
	LargestTreeDepth  int `json:"LargestTreeDepth"`
}
