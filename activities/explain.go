package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/clients/wecom"
)

// explain rewrites *err, when it says that a system refuses the connection's credentials or
// permissions, into one sentence that names the connection and what to set; other errors are
// left as they are. Activities defer it.
func (c Connections) explain(name string, err *error) {
	if *err == nil {
		return
	}
	if msg := credentialHint(name, *err); msg != "" {
		*err = temporal.NewNonRetryableApplicationError(msg, ErrTypeRun, nil)
	}
}

// credentialHint is the sentence for a credential or permission error, "" for any other error.
func credentialHint(conn string, err error) string {
	var ae *authing.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Op == "get-management-token" || ae.StatusCode == 401:
			return fmt.Sprintf("connection %q: Authing refuses the user pool id or secret (%s); check %s",
				conn, ae.Message, settings(conn, "WECOMSYNC_AUTHING_USERPOOL_ID and WECOMSYNC_AUTHING_SECRET", "authing.userPoolId and authing.secret (or secretEnv)"))
		case ae.StatusCode == 403 || ae.StatusCode == 402:
			return fmt.Sprintf("connection %q: Authing denies %s (%d %s): the user pool secret needs full management rights, or the plan lacks the feature", conn, ae.Op, ae.StatusCode, ae.Message)
		case ae.APICode == 2224:
			return fmt.Sprintf("connection %q: Authing has no such user pool; check %s", conn, settings(conn, "WECOMSYNC_AUTHING_USERPOOL_ID (and WECOMSYNC_AUTHING_URL for a private deployment)", "authing.userPoolId and authing.url"))
		}
	}
	var we *wecom.APIError
	if errors.As(err, &we) {
		switch we.ErrCode {
		case 40001:
			return fmt.Sprintf("connection %q: WeCom refuses the secret (40001: wrong or reset, or the app is disabled); set the 通讯录同步 secret in %s", conn, settings(conn, "WECOMSYNC_WECOM_SECRET", "wecom.secret (or secretEnv)"))
		case 40013:
			return fmt.Sprintf("connection %q: WeCom does not know the corp id (40013); check %s", conn, settings(conn, "WECOMSYNC_WECOM_CORP_ID", "wecom.corpId"))
		case 48002, 48001:
			return fmt.Sprintf("connection %q: this secret may not call %s (%d): use the 通讯录同步 (contacts-sync) secret with \"API编辑通讯录\" enabled, in %s", conn, we.Op, we.ErrCode, settings(conn, "WECOMSYNC_WECOM_SECRET", "wecom.secret"))
		case 60020, 301042:
			return fmt.Sprintf("connection %q: WeCom refuses calls from this worker's IP (%d): add it to 企业可信IP in the admin console (it takes about a minute)", conn, we.ErrCode)
		}
	}
	return ""
}

// settings names where a connection's credential is set: the WECOMSYNC_ variables for the default
// connection, the config file's keys for the others.
func settings(conn, vars, keys string) string {
	if conn == "default" {
		return vars + " (or connections.default in the WECOMSYNC_CONFIG file)"
	}
	return fmt.Sprintf("connections.%s.%s in the WECOMSYNC_CONFIG file", conn, keys)
}
