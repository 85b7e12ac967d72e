package keystore

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The fake security program: the test binary run through a script named
// security, with its state in a directory (fakeSecurityDir). It records every
// argv and every stdin it is given, and keeps generic passwords in a file. It
// splits `security -i` lines with the rules of Apple's own parser, so a line
// aadcred quotes wrongly reaches it wrongly.
const fakeSecurityDir = "FAKE_SECURITY_DIR"

// fakeSecurityState is kept as JSON in the state directory.
type fakeSecurityState struct {
	Items map[string]fakeKeychainItem // by keychain, service and account
	// Mode makes the program fail the way the Keychain does: "locked" (no
	// dialog can be shown, as over SSH: reading the password fails),
	// "unsearchable" (the search itself fails, which security reports as a
	// missing item), "unlocked-by-check" (unsearchable until reading the
	// settings unlocks it, as a person at a desktop does at the prompt),
	// "echo" (adding fails with a message that repeats the command), "hang",
	// or "" for a working one.
	Mode string
}

type fakeKeychainItem struct{ Label, Password string }

// fakeSecurityCall is one run of the program, as recorded.
type fakeSecurityCall struct {
	Argv  []string
	Stdin string
}

func runFakeSecurity(args []string) int {
	dir := os.Getenv(fakeSecurityDir)
	var st fakeSecurityState
	if raw, err := os.ReadFile(filepath.Join(dir, "state.json")); err == nil {
		_ = json.Unmarshal(raw, &st)
	}
	if st.Items == nil {
		st.Items = map[string]fakeKeychainItem{}
	}
	call := fakeSecurityCall{Argv: args}
	if len(args) == 1 && args[0] == "-i" {
		stdin, _ := io.ReadAll(os.Stdin)
		call.Stdin = string(stdin)
	}
	appendJSONLine(filepath.Join(dir, "calls.jsonl"), call)
	if st.Mode == "hang" {
		time.Sleep(time.Minute)
	}

	result := 0
	if call.Stdin != "" {
		// Interactive: run each line; the exit status is the last one's.
		for line := range strings.Lines(call.Stdin) {
			argv := splitSecurityLine(strings.TrimSuffix(line, "\n"))
			if result = st.run(argv); result != 0 {
				fmt.Fprintf(os.Stderr, "%s: returned %d\n", argv[0], result)
			}
		}
	} else {
		result = st.run(args)
	}
	raw, _ := json.Marshal(st)
	_ = os.WriteFile(filepath.Join(dir, "state.json"), raw, 0o600)
	return result
}

// run executes one command, printing what security prints.
func (st *fakeSecurityState) run(argv []string) int {
	if len(argv) == 0 {
		return 0
	}
	flags := map[string]string{}
	var keychains []string
	for i := 1; i < len(argv); i++ {
		// -w takes the password in add-generic-password; in
		// find-generic-password it asks for the password alone.
		takesValue := argv[i] != "-w" || argv[0] == "add-generic-password"
		switch a := argv[i]; {
		case takesValue && (a == "-s" || a == "-a" || a == "-l" || a == "-w"):
			if i+1 < len(argv) {
				flags[a] = argv[i+1]
				i++
			}
		case a == "-U" || a == "-w":
			flags[a] = "yes"
		default:
			keychains = append(keychains, a)
		}
	}
	if len(keychains) != 1 || keychains[0] != "login.keychain" {
		fmt.Fprintf(os.Stderr, "security: fake: wants exactly the login keychain, got %q\n", keychains)
		return 1
	}
	id := keychains[0] + "/" + flags["-s"] + "/" + flags["-a"]
	switch argv[0] {
	case "show-keychain-info":
		// security reads the settings, which needs the keychain unlocked.
		if st.Mode == "unlocked-by-check" {
			st.Mode = ""
		}
		if st.Mode == "locked" || st.Mode == "unsearchable" {
			fmt.Fprintf(os.Stderr, "SecKeychainCopySettings %s returned -25308(0xffff9d24)\n", keychains[0])
			return 36 // errSecInteractionNotAllowed, -25308
		}
		fmt.Fprintf(os.Stderr, "Keychain \"%s\" no-timeout\n", keychains[0])
		return 0
	case "find-generic-password":
		item, ok := st.Items[id]
		if !ok || st.Mode == "unsearchable" || st.Mode == "unlocked-by-check" {
			// Whatever made the search fail, security says this.
			fmt.Fprintln(os.Stderr, "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.")
			return 44 // errSecItemNotFound, -25300
		}
		if st.Mode == "locked" {
			// Reading the password fails, and security prints nothing.
			return 36 // errSecInteractionNotAllowed, -25308
		}
		if _, ok := flags["-w"]; !ok {
			fmt.Fprintln(os.Stderr, "security: fake: find without -w")
			return 1
		}
		fmt.Println(item.Password)
		return 0
	case "add-generic-password":
		if st.Mode == "locked" || st.Mode == "unsearchable" {
			fmt.Fprintln(os.Stderr, "security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.")
			return 36
		}
		if st.Mode == "echo" {
			// A security that repeats its command in an error, as no
			// version does yet.
			fmt.Fprintf(os.Stderr, "security: cannot add %q\n", argv)
			return 1
		}
		if _, exists := st.Items[id]; exists && flags["-U"] == "" {
			fmt.Fprintln(os.Stderr, "security: SecKeychainItemCreateFromContent (<default>): The specified item already exists in the keychain.")
			return 45 // errSecDuplicateItem, -25299
		}
		st.Items[id] = fakeKeychainItem{Label: flags["-l"], Password: flags["-w"]}
		return 0
	}
	fmt.Fprintf(os.Stderr, "security: unknown command %q\n", argv[0])
	return 1
}

// splitSecurityLine splits a line as security -i does (split_line in Apple's
// security.c): whitespace separates args; an arg that starts with ' or "
// runs to the same quote; a backslash takes the next character as it is,
// inside quotes or not.
func splitSecurityLine(line string) []string {
	var args []string
	var cur []byte
	inArg, quote, escaped := false, byte(0), false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case escaped:
			cur, escaped = append(cur, c), false
		case !inArg && (c == ' ' || c == '\t'):
		case !inArg && (c == '"' || c == '\''):
			inArg, quote = true, c
		case !inArg:
			inArg = true
			i-- // read it as part of the arg
		case c == '\\':
			escaped = true
		case quote != 0 && c == quote, quote == 0 && (c == ' ' || c == '\t'):
			args, cur, inArg, quote = append(args, string(cur)), nil, false, 0
		default:
			cur = append(cur, c)
		}
	}
	if inArg {
		args = append(args, string(cur))
	}
	return args
}

func appendJSONLine(path string, v any) {
	raw, _ := json.Marshal(v)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(raw, '\n'))
}
