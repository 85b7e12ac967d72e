#!/bin/sh
# Installs aadcred (git-credential-aad, docker-credential-aad, kubectl-aad and
# kubectl-aad-convert_kubeconfig) from a release, on Linux and macOS:
#
#   curl -fsSL https://raw.githubusercontent.com/aadcred/aadcred/main/install/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- --configure contoso.azurecr.io
#
# It downloads the release archive for this OS and architecture and the release's checksums.txt,
# and installs nothing unless the archive's SHA-256 is the one listed. The programs go to
# PREFIX/bin, their manual pages to PREFIX/share/man/man1, and the completions to where bash,
# zsh and fish look under PREFIX/share. If any step fails, nothing is left installed.
#
# Options (or environment variables):
#   --prefix DIR      (AADCRED_PREFIX)    install under DIR; default ~/.local, so ~/.local/bin
#   --version V       (AADCRED_VERSION)   install release V (1.2.3); default the latest
#   --base-url URL    (AADCRED_BASE_URL)  where the releases are; default
#                                         https://github.com/aadcred/aadcred/releases
#   --as-kubelogin                        then link kubelogin to kubectl-aad, so that kubeconfigs
#                                         written by `az aks get-credentials` run it:
#                                         kubectl-aad configure --as-kubelogin
#   --configure [REGISTRY...]             then wire git, docker (the registries given, and those
#                                         docker's configuration already names) and the current
#                                         kubeconfig: git-credential-aad configure --all
set -eu

me=aadcred-install
programs="git-credential-aad docker-credential-aad kubectl-aad kubectl-aad-convert_kubeconfig"
# kubectl_complete-aad completes `kubectl aad …` for kubectl; it goes beside the programs.
scripts="kubectl_complete-aad"

die() {
	printf '%s: %s\n' "$me" "$*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -eu/p' "$0" 2>/dev/null | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//' >&2 ||
		echo "usage: install.sh [--prefix DIR] [--version V] [--base-url URL] [--as-kubelogin] [--configure [REGISTRY...]]" >&2
}

prefix=${AADCRED_PREFIX:-}
version=${AADCRED_VERSION:-}
base_url=${AADCRED_BASE_URL:-https://github.com/aadcred/aadcred/releases}
configure=
as_kubelogin=
while [ $# -gt 0 ]; do
	case $1 in
	--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
	--prefix=*) prefix=${1#*=}; shift ;;
	--version) [ $# -ge 2 ] || die "--version needs a version, such as 1.2.3"; version=$2; shift 2 ;;
	--version=*) version=${1#*=}; shift ;;
	--base-url) [ $# -ge 2 ] || die "--base-url needs a URL"; base_url=$2; shift 2 ;;
	--base-url=*) base_url=${1#*=}; shift ;;
	--configure) configure=yes; shift ;;
	--as-kubelogin) as_kubelogin=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) [ -n "$configure" ] || die "unexpected argument $1: registries come after --configure"; break ;;
	esac
done
# What is left are the registries for --configure.

if [ -z "$prefix" ]; then
	[ -n "${HOME:-}" ] || die "HOME is not set: give --prefix"
	prefix=$HOME/.local
fi
case $prefix in
/*) ;;
*) prefix=$(pwd)/$prefix ;;
esac
version=${version#v}
base_url=${base_url%/}

# The checksums come from the same place as the archive, so they protect only against a broken
# or tampered download, not against a server that lies: plain http is accepted only from this
# machine (a local mirror, the tests).
case $base_url in
https://*) ;;
http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) ;;
*) die "the base URL must be https:// (plain http only from this machine): $base_url" ;;
esac

# --- where this machine is ---

os=$(uname -s)
case $os in
Linux) os=linux ;;
Darwin) os=darwin ;;
*) die "unsupported operating system: $os (this script serves Linux and macOS; on Windows run: winget install aadcred.aadcred, or scoop install aadcred)" ;;
esac
arch=$(uname -m)
case $arch in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) die "unsupported architecture: $arch (releases are built for amd64 and arm64)" ;;
esac
if [ "$os/$arch" = darwin/amd64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
	arch=arm64 # a shell under Rosetta on Apple silicon
fi

bindir=$prefix/bin
mandir=$prefix/share/man/man1
bashdir=$prefix/share/bash-completion/completions
zshdir=$prefix/share/zsh/site-functions
fishdir=$prefix/share/fish/vendor_completions.d

# Refuse an unwritable prefix before downloading anything: the nearest directory that exists
# must be one this user may write to.
dir=$bindir
while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done
[ -d "$dir" ] || die "cannot install into $prefix: $dir is not a directory"
[ -w "$dir" ] || die "cannot install into $prefix: $dir is not writable (choose another --prefix, or run as a user who may write there)"

# --- download and check ---

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aadcred-install.XXXXXX") || die "cannot create a temporary directory"
staged=    # files written beside their destinations: staged copies and kept old files
placed=    # destinations renamed into place, each "DEST<tab>KEPT" (KEPT: the file it replaced, or "")
created=   # directories made, deepest first
installed=
cleanup() {
	status=$?
	set +e # undo all that can be undone
	old_ifs=$IFS
	IFS='
'
	if [ -z "$installed" ]; then
		# Undo a partial install: put back the files it replaced and remove those it added,
		# then the staged files, then the directories made for them.
		for p in $placed; do
			kept=${p#*	}
			if [ -n "$kept" ]; then mv -f "$kept" "${p%%	*}"; else rm -f "${p%%	*}"; fi
		done
		for f in $staged; do rm -f "$f"; done
		for d in $created; do rmdir "$d" 2>/dev/null || true; done
	else
		for p in $placed; do
			kept=${p#*	}
			[ -z "$kept" ] || rm -f "$kept"
		done
	fi
	IFS=$old_ifs
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# download URL FILE: a clear line for each way it can fail.
download() {
	if command -v curl >/dev/null 2>&1; then
		if ! code=$(curl -sS -L --proto '=https,http' --retry 2 --connect-timeout 20 -o "$2" -w '%{http_code}' "$1" 2>"$tmp/curl.err"); then
			die "cannot download $1: $(tail -n 1 "$tmp/curl.err") (is the network up?)"
		fi
		case $code in
		200) ;;
		404) die "cannot download $1: not found (HTTP 404): is there a release $(describe_version) for $os/$arch?" ;;
		*) die "cannot download $1: the server answered HTTP $code" ;;
		esac
	elif command -v wget >/dev/null 2>&1; then
		rc=0
		wget -q -O "$2" "$1" 2>"$tmp/wget.err" || rc=$?
		case $rc in
		0) ;;
		8) die "cannot download $1: the server answered with an error (no release $(describe_version) for $os/$arch?)" ;;
		*) die "cannot download $1: wget failed with status $rc (is the network up?)" ;;
		esac
	else
		die "neither curl nor wget is installed: install one of them"
	fi
}

describe_version() {
	if [ -n "$version" ]; then echo "$version"; else echo "(the latest)"; fi
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d' ' -f1
	elif command -v openssl >/dev/null 2>&1; then
		openssl dgst -sha256 "$1" | sed 's/.*= *//'
	else
		die "no sha256sum, shasum or openssl to check the download with"
	fi
}

if [ -n "$version" ]; then
	release_url=$base_url/download/v$version
else
	release_url=$base_url/latest/download
fi

download "$release_url/checksums.txt" "$tmp/checksums.txt"
# The archive's name carries the version; for the latest release it is read from checksums.txt.
line=$(grep -E "^[0-9a-f]{64}  aadcred_[^ /]+_${os}_${arch}\.tar\.gz\$" "$tmp/checksums.txt" | head -n 1 || true)
[ -n "$line" ] || die "the release's checksums.txt lists no archive for $os/$arch: refusing to install"
want=${line%% *}
archive=${line#*  }
if [ -n "$version" ] && [ "$archive" != "aadcred_${version}_${os}_${arch}.tar.gz" ]; then
	die "the checksums.txt of release $version lists $archive, not aadcred_${version}_${os}_${arch}.tar.gz: refusing to install"
fi

echo "Downloading $archive"
download "$release_url/$archive" "$tmp/$archive"
got=$(sha256 "$tmp/$archive")
[ "$got" = "$want" ] || die "checksum mismatch for $archive: checksums.txt says $want, the download is $got; nothing was installed"

mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || die "cannot unpack $archive"
for p in $programs $scripts; do
	[ -f "$tmp/x/$p" ] || die "$archive holds no $p: refusing to install"
done
# Also proves the programs run on this machine before anything is replaced.
new_version=$("$tmp/x/git-credential-aad" --version 2>/dev/null) || die "the downloaded git-credential-aad does not run on this machine"

# --- install: stage every file beside its destination, then rename them all into place ---

mkdirs() { # DIR: makes DIR and its missing parents, recording them for the cleanup
	if [ ! -d "$1" ]; then
		mkdirs "$(dirname "$1")"
		[ ! -e "$1" ] || die "cannot create the directory $1: a file is in the way"
		mkdir "$1" 2>/dev/null || die "cannot create the directory $1"
		created="$1
$created"
	fi
}

moves=
stage() { # SOURCE DIR NAME MODE
	mkdirs "$2"
	[ ! -d "$2/$3" ] || die "cannot install $2/$3: a directory is in the way"
	s="$2/.$3.aadcred-install.$$"
	staged="$staged
$s"
	{ cp "$1" "$s" && chmod "$4" "$s"; } || die "cannot write into $2"
	moves="$moves
$s	$2/$3"
}

stage_all() { # ARCHIVE-DIRECTORY DIR: every file of the archive's directory into DIR
	for f in "$tmp/x/$1"/*; do
		if [ -f "$f" ]; then stage "$f" "$2" "$(basename "$f")" 644; fi
	done
}
for p in $programs $scripts; do stage "$tmp/x/$p" "$bindir" "$p" 755; done
stage_all man "$mandir"
stage_all completions/bash "$bashdir"
stage_all completions/zsh "$zshdir"
stage_all completions/fish "$fishdir"

# Each rename replaces a file whole. A copy of the file it replaces is kept until every file is
# in place, so that a failure half-way puts the earlier install back.
old_ifs=$IFS
IFS='
'
for m in $moves; do
	[ -n "$m" ] || continue
	dest=${m#*	}
	kept=
	if [ -e "$dest" ] || [ -L "$dest" ]; then
		kept=$(dirname "$dest")/.$(basename "$dest").aadcred-old.$$
		staged="$staged
$kept"
		cp -Pp "$dest" "$kept" || die "cannot keep a copy of $dest while replacing it"
	fi
	placed="$dest	$kept
$placed"
	mv -f "${m%%	*}" "$dest" || die "cannot move $dest into place"
done
IFS=$old_ifs
installed=yes

echo "Installed aadcred ${new_version##* version } into $bindir: $programs"
echo "  manual pages: $mandir; completions: bash, zsh and fish under $prefix/share"
case ":${PATH:-}:" in
*":$bindir:"*)
	found=$(command -v git-credential-aad 2>/dev/null || true)
	if [ -n "$found" ] && [ "$found" != "$bindir/git-credential-aad" ]; then
		echo "$bindir is on your PATH, but $found comes first."
	else
		echo "$bindir is on your PATH."
	fi
	;;
*)
	echo "$bindir is not on your PATH. Add it, e.g.:"
	echo "  echo 'export PATH=\"$bindir:\$PATH\"' >> ~/.profile"
	;;
esac

if [ -n "$as_kubelogin" ]; then
	echo
	"$bindir/kubectl-aad" configure --as-kubelogin || die "installed, but the kubelogin link was not made (see above); run: $bindir/kubectl-aad configure --as-kubelogin"
fi
if [ -n "$configure" ]; then
	echo
	"$bindir/git-credential-aad" configure --all "$@" || die "installed, but configure failed (see above); run: $bindir/git-credential-aad configure --all"
else
	echo "Next: $bindir/git-credential-aad configure --all [REGISTRY...]   (git, docker and kubectl in one go; --dry-run shows the changes)"
fi
