package activities

import (
	"context"
	"sort"
)

// CheckActivities test the worker's connections.
type CheckActivities struct {
	Conns Connections
}

// CheckConnectionsInput names the connections to test (empty = all).
type CheckConnectionsInput struct {
	Connections []string `json:"connections,omitempty"`
}

// ConnectionStatus is the outcome of testing one connection; an empty error means it works.
type ConnectionStatus struct {
	Name         string `json:"name"`
	Authing      string `json:"authing"` // ok, not configured, or the error
	WeCom        string `json:"wecom"`
	AuthingError bool   `json:"authingError,omitempty"`
	WeComError   bool   `json:"wecomError,omitempty"`
}

// CheckConnectionsResult lists every tested connection.
type CheckConnectionsResult struct {
	Connections []ConnectionStatus `json:"connections"`
}

// Status texts of a connection check.
const (
	CheckOK            = "ok"
	CheckNotConfigured = "not configured"
)

// TestConnections gets a token from each system and makes one cheap read (test connection). An
// unreachable or refusing system is reported, not returned as an error.
func (a *CheckActivities) TestConnections(ctx context.Context, in CheckConnectionsInput) (CheckConnectionsResult, error) {
	names := in.Connections
	if len(names) == 0 {
		for n := range a.Conns {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	var res CheckConnectionsResult
	for _, name := range names {
		st := ConnectionStatus{Name: name, Authing: CheckNotConfigured, WeCom: CheckNotConfigured}
		conn, err := a.Conns.get(name)
		if err != nil {
			st.Authing, st.AuthingError = err.Error(), true
			st.WeCom, st.WeComError = err.Error(), true
			res.Connections = append(res.Connections, st)
			continue
		}
		if conn.Authing != nil {
			st.Authing, st.AuthingError = outcome(conn.Authing.CheckConnection(ctx))
		}
		if conn.WeCom != nil {
			st.WeCom, st.WeComError = outcome(conn.WeCom.CheckConnection(ctx))
		}
		res.Connections = append(res.Connections, st)
	}
	return res, nil
}

func outcome(err error) (string, bool) {
	if err != nil {
		return err.Error(), true
	}
	return CheckOK, false
}
