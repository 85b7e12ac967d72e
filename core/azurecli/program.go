package azurecli

import (
	"errors"
	"runtime"
)

// ErrNotInstalled is wrapped by the error Runner.Token returns when there is no az to run.
var ErrNotInstalled = errors.New("the Azure CLI (az) was not found")

// ErrNotSignedIn is wrapped by the error Runner.Token returns when az has no usable sign-in.
var ErrNotSignedIn = errors.New("the Azure CLI is not signed in")

// ErrDeveloperCLINotInstalled and ErrDeveloperCLINotSignedIn are azd's counterparts, returned
// by DeveloperRunner.Token.
var (
	ErrDeveloperCLINotInstalled = errors.New("the Azure Developer CLI (azd) was not found")
	ErrDeveloperCLINotSignedIn  = errors.New("the Azure Developer CLI is not signed in")
)

// program is one of the command-line tools whose sign-in this package borrows.
type program struct {
	exe        string // its name on PATH, also how its own messages are quoted
	title      string // how messages name it: "the Azure CLI (az)"
	command    string // the command that gets a token, named when it fails
	login      string // the command that signs it in
	tenantFlag string // its login's tenant option
	// windows are its file names on Windows, where az is a batch file.
	windows      []string
	notInstalled error
	notSignedIn  error
}

func azProgram() program {
	return program{
		exe: "az", title: "the Azure CLI (az)", command: "az account get-access-token",
		login: "az login", tenantFlag: "--tenant", windows: []string{"az.cmd", "az.exe"},
		notInstalled: ErrNotInstalled, notSignedIn: ErrNotSignedIn,
	}
}

func azdProgram() program {
	return program{
		exe: "azd", title: "the Azure Developer CLI (azd)", command: "azd auth token",
		login: "azd auth login", tenantFlag: "--tenant-id", windows: []string{"azd.exe", "azd.cmd"},
		notInstalled: ErrDeveloperCLINotInstalled, notSignedIn: ErrDeveloperCLINotSignedIn,
	}
}

// names are the file names to look for on PATH.
func (p program) names() []string {
	if runtime.GOOS == "windows" {
		return p.windows
	}
	return []string{p.exe}
}
