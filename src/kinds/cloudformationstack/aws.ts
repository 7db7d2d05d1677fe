// CloudFormation stacks through @aws-sdk/client-cloudformation. A stack's own tags are the user's
// spec.tags only: CloudFormation copies stack tags onto every resource the stack makes, and ours
// (ownership, metadata) there would make those resources look like objects of other kinds. Ours live
// in a document of the server's bucket instead (metadata/stacks/<stack>.json, aws/server-bucket.ts),
// with the spec settings CloudFormation does not keep: where the template came from, which
// parameters the spec gives and from which ConfigMap keys, the capabilities acknowledged.
//
// Updates go through a change set, whose description becomes a Kubernetes Event; rollbacks are
// conditions; a deletion in progress moves the document to metadata/stacks-deleting/ so that the
// listing no longer names a stack on its way out.
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  UpdateTerminationProtectionCommand,
  type Change,
  type Parameter,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { createHash } from 'node:crypto';
import { isPlainObject } from '../../api/types.js';
import type { ObjectIdentity } from '../../aws/context.js';
import { awsErrorCode } from '../../aws/errors.js';
import { CLUSTER_TAG, isReservedTagKey } from '../../aws/metadata-tags.js';
import { defaultPhysicalName, type NamingRules } from '../../aws/naming.js';
import { allPages } from '../../aws/paginate.js';
import { deleteObject, keysUnder, readDocument, writeDocument } from '../../aws/server-bucket.js';
import { fromTagList, toTagList } from '../../aws/tag-list.js';
import { waitFor } from '../../aws/wait.js';
import { changed, ResourceConflict, type DeleteOutcome, type KindAws, type KindContext, type Lifecycle, type Observed, type SpecChange, type TagChange, type UpdateReport } from '../../registry/kind.js';
import { waitsFor, type StackParameter, type StackSpec, type TemplateRef } from './spec.js';

const cloudformation = (ctx: KindContext): CloudFormationClient => ctx.aws.client(CloudFormationClient);

const LIVE = 'metadata/stacks/';
const LEAVING = 'metadata/stacks-deleting/';

/** What the server keeps of a stack besides what CloudFormation has. */
interface StackDocument {
  tags: Record<string, string>;
  /** The parameters the spec gives, with where each value came from (null: a value). */
  parameters: Record<string, StackParameter['valueFrom'] | null>;
  capabilities: string[];
  templateRef?: Pick<TemplateRef, 'name' | 'url'>;
  /** A stack that waits for what its spec names (no stack in CloudFormation yet): that spec, and the user's tags. */
  waiting?: { spec: StackSpec; tags: Record<string, string> };
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

// ------------------------------------------------------------------ reading

/** CloudFormation's stack statuses, by what they mean for the object. */
function lifecycleOf(stack: Stack): Lifecycle {
  const state = stack.StackStatus ?? 'UNKNOWN';
  const message = `stack is ${state}${stack.StackStatusReason ? `: ${stack.StackStatusReason}` : ''}`;
  const rolledBack = (reason: string) => [{ type: 'RolledBack', status: 'True' as const, reason, message }];
  const common = { state, message, resourceStatus: state };
  if (state === 'UPDATE_ROLLBACK_COMPLETE') return { ...common, phase: 'Ready', conditions: rolledBack('UpdateRolledBack') };
  if (state === 'ROLLBACK_COMPLETE') return { ...common, phase: 'Failed', conditions: rolledBack('CreateRolledBack') };
  if (state.endsWith('_FAILED') || state === 'ROLLBACK_IN_PROGRESS') return { ...common, phase: 'Failed', conditions: rolledBack(state === 'ROLLBACK_IN_PROGRESS' ? 'RollingBack' : 'Failed') };
  if (state.startsWith('DELETE_')) return { ...common, phase: 'Deleting' };
  if (state.startsWith('CREATE_IN_PROGRESS') || state === 'REVIEW_IN_PROGRESS') return { ...common, phase: 'Creating' };
  if (state.endsWith('_IN_PROGRESS')) return { ...common, phase: 'Updating', ...(state.includes('ROLLBACK') ? { conditions: rolledBack('RollingBack') } : {}) };
  return { ...common, phase: 'Ready', conditions: [{ type: 'RolledBack', status: 'False', reason: 'NotRolledBack', message }] };
}

/** The live stack of that name or id; undefined when there is none (CloudFormation says "does not exist"). */
async function describeStack(ctx: KindContext, name: string): Promise<Stack | undefined> {
  try {
    const stack = (await cloudformation(ctx).send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (error) {
    if (awsErrorCode(error) === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

async function resourcesOf(ctx: KindContext, name: string): Promise<StackResourceSummary[]> {
  const resources: StackResourceSummary[] = [];
  const pages = allPages('ListStackResources', (token) => cloudformation(ctx).send(new ListStackResourcesCommand({ StackName: name, ...(token ? { NextToken: token } : {}) })), (page) => page.NextToken);
  for await (const page of pages) resources.push(...(page.StackResourceSummaries ?? []));
  return resources;
}

/** A document as stored, its settings read leniently: ones of the wrong shape (edited by hand) are none. */
function wellFormed(document: StackDocument): StackDocument {
  const { parameters, capabilities, templateRef } = document as Partial<StackDocument>;
  return {
    tags: document.tags,
    parameters: isPlainObject(parameters) ? parameters : {},
    capabilities: Array.isArray(capabilities) ? capabilities.filter((c): c is string => typeof c === 'string') : [],
    ...(isPlainObject(templateRef) && typeof templateRef.name === 'string' ? { templateRef } : {}),
  };
}

async function documentOf(ctx: KindContext, name: string): Promise<{ document: StackDocument; leaving: boolean } | undefined> {
  const live = await readDocument<StackDocument>(ctx, `${LIVE}${name}.json`);
  if (live) return { document: wellFormed(live), leaving: false };
  const leaving = await readDocument<StackDocument>(ctx, `${LEAVING}${name}.json`);
  return leaving ? { document: wellFormed(leaving), leaving: true } : undefined;
}

function renderSpec(stack: Stack, document: StackDocument | undefined, template: string): StackSpec {
  const values = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  const parameters = Object.entries(document?.parameters ?? {})
    .map(([name, valueFrom]) => ({ name, ...(values.has(name) ? { value: values.get(name) } : {}), ...(valueFrom ? { valueFrom } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const ref = document?.templateRef;
  return {
    stackName: stack.StackName,
    ...(ref ? { templateRef: { name: ref.name, sha256: sha256(template), ...(ref.url ? { url: ref.url } : {}) } } : { template }),
    ...(parameters.length ? { parameters } : {}),
    ...(document?.capabilities.length ? { capabilities: [...document.capabilities].sort() } : {}),
    terminationProtection: stack.EnableTerminationProtection ?? false,
  };
}

/** A stack kept only as its document until what it names exists (see create). */
async function findWaiting(ctx: KindContext, name: string): Promise<Observed<StackSpec> | undefined> {
  const document = await readDocument<StackDocument>(ctx, `${LIVE}${name}.json`);
  const waiting = document?.waiting;
  if (!waiting) return undefined;
  const missing = waitsFor(waiting.spec);
  return {
    ref: name,
    arn: '',
    tags: { ...waiting.tags, ...document.tags },
    lifecycle: { state: 'WAITING', phase: 'Waiting', message: `waiting for ${missing.join(' and ')} of this namespace: the stack is created once ${missing.length > 1 ? 'they exist' : 'it exists'}` },
    spec: waiting.spec,
    status: { stackName: name },
    outputs: {},
  };
}

async function find(ctx: KindContext, name: string): Promise<Observed<StackSpec> | undefined> {
  const stack = await describeStack(ctx, name);
  if (!stack) return findWaiting(ctx, name);
  if (!stack.StackId || !stack.StackName) return undefined;
  const [stored, template, resources] = await Promise.all([
    documentOf(ctx, stack.StackName),
    cloudformation(ctx).send(new GetTemplateCommand({ StackName: stack.StackId })),
    resourcesOf(ctx, stack.StackId),
  ]);
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey as string, o.OutputValue ?? '']));
  const lifecycle = lifecycleOf(stack);
  return {
    ref: stack.StackName,
    arn: stack.StackId,
    tags: { ...fromTagList(stack.Tags), ...(stored?.document.tags ?? {}) },
    // A document on its way out: CloudFormation is deleting the stack for a deleted object.
    lifecycle: stored?.leaving && lifecycle.phase !== 'Deleting' ? { ...lifecycle, phase: 'Deleting' } : lifecycle,
    spec: renderSpec(stack, stored?.document, template.TemplateBody ?? ''),
    status: {
      arn: stack.StackId,
      stackName: stack.StackName,
      stackStatus: stack.StackStatus,
      ...(stack.StackStatusReason ? { stackStatusReason: stack.StackStatusReason } : {}),
      ...(stack.DriftInformation?.StackDriftStatus ? { driftStatus: stack.DriftInformation.StackDriftStatus } : {}),
      ...(stack.ChangeSetId ? { lastChangeSet: stack.ChangeSetId } : {}),
      // What CloudFormation has, values read from ConfigMap keys included (the spec shows what was written).
      parameters: (stack.Parameters ?? []).map((p) => ({ name: p.ParameterKey ?? '', value: p.ParameterValue ?? '' })).sort((a, b) => a.name.localeCompare(b.name)),
      resources: resources.map((r) => ({ logicalId: r.LogicalResourceId, type: r.ResourceType, physicalId: r.PhysicalResourceId ?? '', status: r.ResourceStatus })),
    },
    outputs,
    ...(stack.CreationTime ? { createdAt: stack.CreationTime.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
}

// ------------------------------------------------------------------ writing

const ours = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).filter(([key]) => isReservedTagKey(key)));
const theirs = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).filter(([key]) => !isReservedTagKey(key)));

function documentFor(spec: StackSpec, tags: Record<string, string>): StackDocument {
  return {
    tags: ours(tags),
    parameters: Object.fromEntries((spec.parameters ?? []).map((p) => [p.name, p.valueFrom ?? null])),
    capabilities: spec.capabilities ?? [],
    ...(spec.templateRef ? { templateRef: { name: spec.templateRef.name, ...(spec.templateRef.url ? { url: spec.templateRef.url } : {}) } } : {}),
  };
}

/** The template as CloudFormation takes it: inline, or the URL of a CloudFormationTemplate. */
export function templateSource(spec: StackSpec): { TemplateBody: string } | { TemplateURL: string } {
  return spec.templateRef?.url ? { TemplateURL: spec.templateRef.url } : { TemplateBody: spec.template ?? '' };
}

const parametersOf = (spec: StackSpec): Parameter[] => (spec.parameters ?? []).map((p) => ({ ParameterKey: p.name, ParameterValue: p.value ?? '' }));

/**
 * The document first (with the pending tag: registry/half-made.ts), so that a stack whose create was
 * cut short is found to be ours, and a half-made one is finished by a retry or removed by the resync.
 * A spec that names what does not exist yet (waitsFor) is only kept in the document; the store
 * creates it again on each write of the object and after writes in its namespace, and then
 * CloudFormation gets it.
 */
async function create(ctx: KindContext, name: string, spec: StackSpec, tags: Record<string, string>): Promise<string> {
  await deleteObject(ctx, `${LEAVING}${name}.json`);
  if (waitsFor(spec).length) {
    await writeDocument(ctx, `${LIVE}${name}.json`, { ...documentFor(spec, tags), waiting: { spec, tags: theirs(tags) } });
    return name;
  }
  // A waiting stack being created now keeps what it waits with until CloudFormation has the stack
  // (find prefers the stack): a create cut short or refused leaves it waiting, and retried, never gone.
  const previous = await readDocument<StackDocument>(ctx, `${LIVE}${name}.json`);
  const waiting = previous?.waiting ? previous : undefined;
  await writeDocument(ctx, `${LIVE}${name}.json`, { ...documentFor(spec, tags), ...(waiting ? { waiting: waiting.waiting } : {}) });
  try {
    await cloudformation(ctx).send(
      new CreateStackCommand({
        StackName: name,
        ...templateSource(spec),
        Parameters: parametersOf(spec),
        ...(spec.capabilities?.length ? { Capabilities: spec.capabilities as CreateStackCommand['input']['Capabilities'] } : {}),
        Tags: toTagList(theirs(tags)),
        EnableTerminationProtection: spec.terminationProtection,
      }),
    );
  } catch (error) {
    // A stack CloudFormation made although the call failed (its answer was lost, and the SDK's retry
    // met it) keeps its document: it is this create's, to finish. Unsure whether there is one, too.
    // Else a waiting stack goes on waiting (and is retried); a new one leaves nothing.
    const made = await describeStack(ctx, name).then((stack) => stack !== undefined, () => true);
    if (!made) await (waiting ? writeDocument(ctx, `${LIVE}${name}.json`, waiting) : deleteObject(ctx, `${LIVE}${name}.json`)).catch(() => undefined);
    throw error;
  }
  if (waiting) await writeDocument(ctx, `${LIVE}${name}.json`, documentFor(spec, tags));
  return name;
}

/** "Modify Bucket (AWS::S3::Bucket, replacement: False); Add Queue (AWS::SQS::Queue)". */
function describeChanges(changes: Change[]): string {
  const described = changes.map((c) => c.ResourceChange).filter((c) => c !== undefined)
    .map((c) => `${c.Action ?? '?'} ${c.LogicalResourceId ?? '?'} (${c.ResourceType ?? '?'}${c.Replacement ? `, replacement: ${c.Replacement}` : ''})`);
  return described.length ? described.join('; ') : 'no resource changes';
}

const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

/**
 * Creates a change set taking the stack to `spec` and `userTags`, executes it, and says what it does.
 * None when CloudFormation finds nothing to change (only the document or protection changed, say).
 */
async function applyChangeSet(ctx: KindContext, name: string, spec: StackSpec | 'previous', userTags: Record<string, string>, current: StackSpec): Promise<UpdateReport> {
  const changeSetName = `service-operator-${Date.now()}`;
  const source = spec === 'previous' ? { UsePreviousTemplate: true } : templateSource(spec);
  const parameters = spec === 'previous' ? (current.parameters ?? []).map((p) => ({ ParameterKey: p.name, UsePreviousValue: true })) : parametersOf(spec);
  const capabilities = (spec === 'previous' ? current : spec).capabilities;
  try {
    await cloudformation(ctx).send(
      new CreateChangeSetCommand({
        StackName: name,
        ChangeSetName: changeSetName,
        ChangeSetType: 'UPDATE',
        Description: 'Made by aws-service-apiserver for a write of the CloudFormationStack object',
        ...source,
        Parameters: parameters,
        ...(capabilities?.length ? { Capabilities: capabilities as CreateStackCommand['input']['Capabilities'] } : {}),
        Tags: toTagList(userTags),
      }),
    );
  } catch (error) {
    if (awsErrorCode(error) === 'ValidationError' && NO_CHANGES.test((error as Error).message)) return {};
    throw error;
  }
  const described = await waitFor(
    async () => {
      const answer = await cloudformation(ctx).send(new DescribeChangeSetCommand({ StackName: name, ChangeSetName: changeSetName }));
      return answer.Status === 'CREATE_PENDING' || answer.Status === 'CREATE_IN_PROGRESS' ? undefined : answer;
    },
    { deadline: ctx.deadline, what: `change set ${changeSetName} of stack ${name}`, intervalMs: 500 },
  );
  if (described.Status === 'FAILED') {
    await cloudformation(ctx).send(new DeleteChangeSetCommand({ StackName: name, ChangeSetName: changeSetName })).catch(() => undefined);
    if (NO_CHANGES.test(described.StatusReason ?? '')) return {};
    throw new ResourceConflict(`CloudFormation could not make a change set for the update: ${described.StatusReason ?? 'no reason given'}`);
  }
  const message = `change set ${changeSetName}: ${describeChanges(described.Changes ?? [])}`;
  await cloudformation(ctx).send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: changeSetName }));
  return { events: [{ type: 'Normal', reason: 'ChangeSetExecuted', message }] };
}

const STACK_FIELDS = ['template', 'templateRef', 'parameters', 'capabilities'] as const;

async function update(ctx: KindContext, observed: Observed<StackSpec>, change: SpecChange<StackSpec>): Promise<UpdateReport> {
  const { desired, current } = change;
  // Nothing to change (the end of a create whose answer was lost, say): nothing to wait for either.
  if (change.fields.size === 0) return {};
  if (observed.lifecycle.state.endsWith('_IN_PROGRESS')) {
    throw new ResourceConflict(`the stack is ${observed.lifecycle.state}; CloudFormation takes the next update once it is done`);
  }
  if (changed(change, 'terminationProtection')) {
    await cloudformation(ctx).send(new UpdateTerminationProtectionCommand({ StackName: observed.ref, EnableTerminationProtection: desired.terminationProtection }));
  }
  const document = documentFor(desired, observed.tags);
  await writeDocument(ctx, `${LIVE}${observed.ref}.json`, document);
  // Values that stay the same (a parameter now read from a ConfigMap, say) make no change in AWS.
  const stackChanged = changed(change, ...STACK_FIELDS);
  return stackChanged ? applyChangeSet(ctx, observed.ref, desired, theirs(observed.tags), current) : {};
}

/**
 * The user's are the stack's, by change set; ours go to the document (all of them gone: the stack is
 * released). Ours last: the end of a create removes the pending tag, which must be its last step.
 */
async function setTags(ctx: KindContext, observed: Observed<StackSpec>, change: TagChange): Promise<void> {
  const after = { ...observed.tags, ...change.set };
  for (const key of change.remove) delete after[key];
  const key = `${LIVE}${observed.ref}.json`;
  if (observed.lifecycle.phase === 'Waiting') {
    // Nothing in CloudFormation yet: every tag is the document's.
    if (!(CLUSTER_TAG in after)) await deleteObject(ctx, key);
    else await writeDocument(ctx, key, { ...documentFor(observed.spec, after), waiting: { spec: observed.spec, tags: theirs(after) } });
    return;
  }
  if ([...change.remove, ...Object.keys(change.set)].some((k) => !isReservedTagKey(k))) {
    await applyChangeSet(ctx, observed.ref, 'previous', theirs(after), observed.spec);
  }
  if (!(CLUSTER_TAG in after)) await deleteObject(ctx, key);
  else if ([...change.remove, ...Object.keys(change.set)].some(isReservedTagKey)) {
    const stored = await documentOf(ctx, observed.ref);
    await writeDocument(ctx, key, { ...(stored?.document ?? documentFor(observed.spec, {})), tags: ours(after) });
  }
}

async function remove(ctx: KindContext, observed: Observed<StackSpec>): Promise<DeleteOutcome> {
  if (observed.lifecycle.phase === 'Waiting') {
    await deleteObject(ctx, `${LIVE}${observed.ref}.json`);
    return { state: 'deleted' };
  }
  if (observed.spec.terminationProtection) {
    throw new ResourceConflict('termination protection is enabled on the stack; set spec.terminationProtection to false first');
  }
  const stored = await documentOf(ctx, observed.ref);
  if (stored && !stored.leaving) {
    await writeDocument(ctx, `${LEAVING}${observed.ref}.json`, stored.document);
    await deleteObject(ctx, `${LIVE}${observed.ref}.json`);
  }
  await cloudformation(ctx).send(new DeleteStackCommand({ StackName: observed.arn }));
  if (await describeStack(ctx, observed.arn)) return { state: 'deleting' };
  await deleteObject(ctx, `${LEAVING}${observed.ref}.json`);
  return { state: 'deleted' };
}

/**
 * A stack whose create never finished: its termination protection was this create's to give, not a
 * user's, so it goes first; then the stack as any other (its document moves aside while it goes).
 */
async function discard(ctx: KindContext, observed: Observed<StackSpec>): Promise<void> {
  if (observed.spec.terminationProtection && observed.lifecycle.phase !== 'Waiting') await cloudformation(ctx).send(new UpdateTerminationProtectionCommand({ StackName: observed.ref, EnableTerminationProtection: false }));
  await remove(ctx, { ...observed, spec: { ...observed.spec, terminationProtection: false } });
}

/** The stacks the server keeps documents of for this cluster (its bucket is the cluster's): bare refs. */
async function* enumerate(ctx: KindContext): AsyncIterable<string> {
  for await (const key of keysUnder(ctx, LIVE)) if (key.endsWith('.json')) yield key.slice(LIVE.length, -'.json'.length);
}

const sanitize = (text: string): string => {
  const clean = text.replace(/[^A-Za-z0-9-]/g, '-');
  return /^[A-Za-z]/.test(clean) ? clean : `k${clean}`;
};

// "-" joins the parts and occurs in Kubernetes names too: the default always ends in a hash.
const NAMING: NamingRules = { separator: '-', maxLength: 128, alwaysHash: true, sanitize };

/**
 * A stack links only what its namespace has: a CloudFormationTemplate and ConfigMaps of the namespace
 * (resolved by name there). What its template makes is CloudFormation's to check: writing stacks is
 * for the namespace admin role (docs/security.md).
 */
export const stackAws: KindAws<StackSpec> = {
  physicalName: (identity: ObjectIdentity, spec?: StackSpec) => spec?.stackName ?? defaultPhysicalName(identity, NAMING),
  explicitName: { field: 'stackName', rules: NAMING },
  find,
  create,
  update,
  setTags,
  delete: remove,
  discard,
  enumerate,
};
