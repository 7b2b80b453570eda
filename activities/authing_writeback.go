package activities

import (
	"context"
	"fmt"

	"github.com/wecomsync/wecomsync/clients/apierr"
	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// ApplyWriteBackChunk writes WeCom ids back into Authing custom data: users 50 at a time
// (update-user-batch), departments one by one (update-department). An object whose WeCom write
// failed earlier in the run gets no write-back: Authing never names a WeCom id that does not exist.
func (a *AuthingActivities) ApplyWriteBackChunk(ctx context.Context, in ApplyWriteBackChunkInput) (_ ChunkResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	c, err := a.Conns.Authing(in.Connection)
	if err != nil {
		return ChunkResult{}, err
	}
	failed, err := failedObjects(ctx, a.Store, in.Prefix+"failures/")
	if err != nil {
		return ChunkResult{}, err
	}
	wb := &writeBack{c: c, org: in.OrganizationCode, failed: failed}
	spec := chunkSpec{Key: in.Chunk.Key, Prefix: in.Prefix, BatchSize: BatchSize, Concurrency: a.writeConcurrency()}
	return runChunk(ctx, a.Store, a.Metrics, spec, wb.batch)
}

// failedObjects are the objects (object/key) the run's failures name so far, write-backs aside.
func failedObjects(ctx context.Context, store *claimcheck.Store, prefix string) (map[string]bool, error) {
	keys, err := store.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, k := range keys {
		err := claimcheck.ReadLines(ctx, store, k, func(f report.Failure) error {
			if f.Action != plan.ActionWriteBack {
				out[f.Object+"/"+f.Key] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

type writeBack struct {
	c      *authing.Client
	org    string
	failed map[string]bool
}

func (wb *writeBack) batch(ctx context.Context, batch []plan.WriteBack) (applied, failed plan.Counts, failures []report.Failure, err error) {
	var users []authing.UpdateUserInput
	var userWBs []plan.WriteBack
	for _, w := range batch {
		if wb.failed[w.Object+"/"+w.Key] {
			continue
		}
		if w.Object == plan.ObjectUser {
			users = append(users, authing.UpdateUserInput{UserID: w.AuthingID, Fields: map[string]any{"customData": anyMap(w.Data)}})
			userWBs = append(userWBs, w)
			continue
		}
		_, err := wb.c.Departments.Update(ctx, &authing.UpdateDepartmentRequest{OrganizationCode: wb.org, DepartmentID: w.AuthingID, CustomData: anyMap(w.Data)})
		switch {
		case err == nil:
			applied.DepartmentsWriteBack++
		case apierr.IsPerObject(err):
			failed.DepartmentsWriteBack++
			failures = append(failures, writeBackFailure(w, err))
		default:
			return applied, failed, nil, classify("write back department "+w.Key, err)
		}
	}
	if len(users) == 0 {
		return applied, failed, failures, nil
	}
	if _, err := wb.c.Users.UpdateBatch(ctx, users); err == nil {
		applied.UsersWriteBack += len(users)
		return applied, failed, failures, nil
	} else if !apierr.IsPerObject(err) {
		return applied, failed, nil, classify("write back users", err)
	}
	for i, u := range users { // the batch was refused for one record: find it
		if _, err := wb.c.Users.Update(ctx, u); err != nil {
			if !apierr.IsPerObject(err) {
				return applied, failed, nil, classify("write back user "+userWBs[i].Key, err)
			}
			failed.UsersWriteBack++
			failures = append(failures, writeBackFailure(userWBs[i], err))
			continue
		}
		applied.UsersWriteBack++
	}
	return applied, failed, failures, nil
}

func writeBackFailure(w plan.WriteBack, err error) report.Failure {
	f := report.Failure{Object: w.Object, Key: w.Key, Action: plan.ActionWriteBack, Message: fmt.Sprint(err)}
	if e, ok := apiError(err); ok {
		f.Code, f.Message = e.StatusCode, e.Message
	}
	return f
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
