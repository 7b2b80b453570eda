package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/wecomsync/wecomsync/workflows"
)

// EnsureSearchAttributes registers on the namespace the search attributes runs set
// (workflows.SearchAttributes) that it lacks. A run that upserts an unregistered attribute fails
// its workflow task over and over, so a worker that cannot register them (no permission on a
// shared cluster) refuses to start with the commands an admin runs instead.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list the search attributes of namespace %q: %w", namespace, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range workflows.SearchAttributes() {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = indexedType(typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	var exists *serviceerror.AlreadyExists
	if err == nil || errors.As(err, &exists) {
		return nil
	}
	var cmds []string
	for name := range missing {
		cmds = append(cmds, fmt.Sprintf("temporal operator search-attribute create --namespace %s --name %s --type %s", namespace, name, workflows.SearchAttributes()[name]))
	}
	sort.Strings(cmds)
	return fmt.Errorf("namespace %q lacks the search attributes runs set, and this worker cannot register them (%v); register them once:\n  %s",
		namespace, err, strings.Join(cmds, "\n  "))
}

func indexedType(name string) enums.IndexedValueType {
	switch name {
	case "Bool":
		return enums.INDEXED_VALUE_TYPE_BOOL
	case "Int":
		return enums.INDEXED_VALUE_TYPE_INT
	}
	return enums.INDEXED_VALUE_TYPE_KEYWORD
}
