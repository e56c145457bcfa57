package proctree

// Schema names the columns of a process log. ProcessName, ProcessID, ParentID and
// TimeStamp are required; the rest are "" when the log lacks them.
type Schema struct {
	// Name is the schema's short name ("win4688", "auditd", "mde", "mde-internal",
	// "sysmon", "osquery", "hx", or "custom").
	Name string `yaml:"name"`
	// ProcessName is the image column; ProcessID and ParentID the ids; TimeStamp
	// the start time.
	ProcessName string `yaml:"process_name"`
	ProcessID   string `yaml:"process_id"`
	ParentID    string `yaml:"parent_id"`
	TimeStamp   string `yaml:"time_stamp"`
	// CmdLine, User, LogonID, TargetLogonID, Host, ParentName and UserID are optional.
	CmdLine       string `yaml:"cmd_line"`
	User          string `yaml:"user_name"`
	LogonID       string `yaml:"logon_id"`
	TargetLogonID string `yaml:"target_logon_id"`
	Host          string `yaml:"host_name"`
	ParentName    string `yaml:"parent_name"`
	UserID        string `yaml:"user_id"`
	// PathSep is the separator of image paths ("\\" for Windows logs, "/" for Linux).
	PathSep string `yaml:"path_separator"`
	// EventIDColumn and EventID keep only the rows whose column holds that value
	// (4688, 1, SYSCALL_EXECVE, ProcessCreated…).
	EventIDColumn string `yaml:"event_id_column"`
	EventID       string `yaml:"event_id"`
	// ProcessGUID and ParentGUID, when set and present, link parents exactly
	// (Sysmon's ProcessGuid and ParentProcessGuid).
	ProcessGUID string `yaml:"process_guid"`
	ParentGUID  string `yaml:"parent_guid"`
}
