package app

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/clients/wecom"
	"github.com/wecomsync/wecomsync/internal/budget"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/config"
)

// budgetStore keeps the shared budgets' records in the claim-check store every worker shares.
type budgetStore struct{ s *claimcheck.Store }

func (b budgetStore) Put(ctx context.Context, key string, r budget.Record) error {
	_, err := b.s.PutJSON(ctx, key, r)
	return err
}

func (b budgetStore) Delete(ctx context.Context, key string) error { return b.s.Delete(ctx, key) }

func (b budgetStore) List(ctx context.Context, prefix string) ([]budget.Record, error) {
	keys, err := b.s.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]budget.Record, 0, len(keys))
	for _, k := range keys {
		var r budget.Record
		if err := b.s.GetJSON(ctx, k, &r); err != nil {
			continue // a record being rewritten or removed: the next round reads it
		}
		out = append(out, r)
	}
	return out, nil
}

// NewBudgets returns the coordinator that shares the API budgets of every connection among the
// worker processes using the same blob store (internal/budget); Run it for the worker's life.
func NewBudgets(store *claimcheck.Store, log *zap.Logger) *budget.Coordinator {
	host, _ := os.Hostname()
	worker := fmt.Sprintf("%s-%d-%d", cmp.Or(host, "worker"), os.Getpid(), time.Now().UnixNano())
	return budget.New(budgetStore{store}, worker, 0, log)
}

// authingBudget is an Authing pool's shared budget: qps for every verb together.
func authingBudget(co *budget.Coordinator, a *config.Authing) authing.Limiter {
	qps := cmp.Or(a.QPS, authing.DefaultQPS)
	rates := []budget.Rate{{PerSecond: qps, Burst: max(1, int(qps/30))}}
	b := co.Budget("authing/"+a.UserPoolID, func(string) []budget.Rate { return rates })
	return onePool{b}
}

// onePool puts every Authing verb on one budget: the pool's QPS is shared by all verbs.
type onePool struct{ b *budget.Budget }

func (p onePool) Wait(ctx context.Context, _ string) error { return p.b.Wait(ctx, "all") }

// wecomBudget is a WeCom corp's shared budgets: one per API, per minute and per hour.
func wecomBudget(co *budget.Coordinator, w *config.WeCom) wecom.Limiter {
	l := wecom.LimitsOf(cmp.Or(w.PerMinute, wecomPerMinute), cmp.Or(w.PerHour, wecomPerHour))
	var rates []budget.Rate
	if l.PerSecond > 0 {
		rates = append(rates, budget.Rate{PerSecond: l.PerSecond, Burst: l.Burst})
	}
	if l.HourMax > 0 {
		rates = append(rates, budget.Rate{Window: time.Hour, Max: l.HourMax})
	}
	return co.Budget("wecom/"+w.CorpID, func(string) []budget.Rate { return rates })
}
