package main

import "testing"

func TestHelpPageEscapesRoff(t *testing.T) {
	got := string(helpPage("kubectl-aad-convert_kubeconfig", "convert", "Usage: x [--dry-run]\n.profile and 'quoted'\nC:\\path\n"))
	want := ".TH KUBECTL-AAD-CONVERT_KUBECONFIG 1\n.SH NAME\nkubectl\\-aad\\-convert_kubeconfig \\- convert\n.SH DESCRIPTION\n.nf\n" +
		"Usage: x [\\-\\-dry\\-run]\n\\&.profile and 'quoted'\nC:\\epath\n.fi\n"
	if got != want {
		t.Errorf("page:\n%s\nwant:\n%s", got, want)
	}
}
