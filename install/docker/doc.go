// Package docker wires docker-credential-aad into docker's client configuration: it adds and
// removes credHelpers entries in config.json ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json), keeping every other field, the order of the keys and the file's mode,
// and replacing the file atomically so that docker never reads half of it.
package docker
