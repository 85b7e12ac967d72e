package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		info string // as `go version -m` prints it
		want string
	}{
		{
			name: "go install of a release",
			info: "path\tgithub.com/aadcred/aadcred/cmd/git-credential-aad\nmod\tgithub.com/aadcred/aadcred\tv1.4.2\th1:abc=\n",
			want: "v1.4.2",
		},
		{
			name: "checkout build, clean",
			info: "path\tgithub.com/aadcred/aadcred/cmd/git-credential-aad\nmod\tgithub.com/aadcred/aadcred\tv0.0.0-20261204164200-c4a2be2abcde\t\n" +
				"build\tvcs=git\nbuild\tvcs.revision=c4a2be2abcde0123456789abcdef0123456789ab\nbuild\tvcs.modified=false\n",
			want: "v0.0.0-20261204164200-c4a2be2abcde (revision c4a2be2abcde)",
		},
		{
			name: "checkout build, modified",
			info: "path\tgithub.com/aadcred/aadcred/cmd/git-credential-aad\nmod\tgithub.com/aadcred/aadcred\tv0.0.0-20261204164200-c4a2be2abcde+dirty\t\n" +
				"build\tvcs=git\nbuild\tvcs.revision=c4a2be2abcde0123456789abcdef0123456789ab\nbuild\tvcs.modified=true\n",
			want: "v0.0.0-20261204164200-c4a2be2abcde (revision c4a2be2abcde, modified)",
		},
		{
			name: "checkout build by an older go",
			info: "path\tgithub.com/aadcred/aadcred/cmd/git-credential-aad\nmod\tgithub.com/aadcred/aadcred\t(devel)\t\n" +
				"build\tvcs.revision=c4a2be2\nbuild\tvcs.modified=true\n",
			want: "devel (revision c4a2be2, modified)",
		},
		{
			name: "no version control information",
			info: "path\tgithub.com/aadcred/aadcred/cmd/git-credential-aad\nmod\tgithub.com/aadcred/aadcred\t(devel)\t\n",
			want: "devel",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := debug.ParseBuildInfo("go\tgo1.26.0\n" + tt.info)
			if err != nil {
				t.Fatal(err)
			}
			if got := fromBuildInfo(info); got != tt.want {
				t.Errorf("version = %q, want %q", got, tt.want)
			}
		})
	}
}
