'use client';
import * as React from 'react';
import { MailPlus, Trash2, UserPlus, Users } from 'lucide-react';
import { invitationLink, useChangeRole, useInvitations, useMembers, useRemoveMember, useRevokeInvitation } from '@/lib/api/team';
import type { CreatedInvitation, Invitation, Role, TeamMember } from '@/lib/api/types';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/native-select';
import { useToast } from '@/components/ui/toast';
import { OneTimeSecretDialog } from '@/components/common/one-time-secret-dialog';
import { PageHeader } from '@/components/common/page-header';
import { ConfirmAction } from '@/components/common/confirm-action';
import { EmptyState, ErrorState, ListSkeleton, RestrictedState } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';
import { InviteDialog } from './invite-dialog';
import { ROLES, roleSummary } from './roles';
import { SsoSection } from './sso-section';

function RemoveMember({ member }: { member: TeamMember }) {
  const remove = useRemoveMember();
  const toast = useToast();
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Remove ${member.email}`} title="Remove" data-testid="member-remove">
          <Trash2 />
        </Button>
      }
      title={<>Remove {member.email}?</>}
      description="They can no longer sign in to this workspace. Their workflows, connections and logs stay."
      confirmLabel="Remove"
      onConfirm={() =>
        remove.mutate(member.id, {
          onSuccess: () => toast({ title: 'Member removed', description: member.email }),
          onError: (e) => toast({ title: 'Could not remove the member', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

function MemberRow({ member, isSelf }: { member: TeamMember; isSelf: boolean }) {
  const change = useChangeRole();
  const toast = useToast();
  const role = change.isPending && change.variables ? change.variables.role : member.role;
  return (
    <li className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" data-testid="member-row" data-email={member.email} data-role={member.role}>
      <div className="flex min-w-0 flex-1 items-center gap-3">
        <span aria-hidden className="grid size-9 shrink-0 place-items-center rounded-full bg-accent text-xs font-semibold text-accent-foreground uppercase">
          {(member.name || member.email).slice(0, 2)}
        </span>
        <div className="min-w-0">
          <p className="flex items-center gap-2 truncate font-medium">
            {member.name || member.email}
            {isSelf && <Badge variant="secondary">you</Badge>}
          </p>
          <p className="truncate text-xs text-muted-foreground">
            {member.name ? `${member.email} · ` : ''}joined {formatRelative(member.createdAt)}
            {member.lastLoginAt ? ` · last sign-in ${formatRelative(member.lastLoginAt)}` : ''}
          </p>
        </div>
      </div>
      <div className="flex items-center gap-2">
        <NativeSelect
          aria-label={`Role of ${member.email}`}
          title={isSelf ? 'Another admin can change your role' : roleSummary[role]}
          value={role}
          disabled={isSelf || change.isPending}
          className="w-32"
          data-testid="member-role"
          onChange={(e) => {
            const next = e.target.value as Role;
            change.mutate(
              { id: member.id, role: next },
              {
                onSuccess: () => toast({ title: 'Role changed', description: `${member.email} is now ${next}.`, variant: 'success' }),
                onError: (err) => toast({ title: 'Could not change the role', description: err.message, variant: 'error' }),
              },
            );
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </NativeSelect>
        {isSelf ? <span className="size-8" aria-hidden /> : <RemoveMember member={member} />}
      </div>
    </li>
  );
}

function RevokeInvitation({ invitation }: { invitation: Invitation }) {
  const revoke = useRevokeInvitation();
  const toast = useToast();
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="sm" data-testid="invitation-revoke">
          Revoke
        </Button>
      }
      title={<>Revoke the invitation of {invitation.email}?</>}
      description="The link stops working. You can invite them again later."
      confirmLabel="Revoke"
      onConfirm={() =>
        revoke.mutate(invitation.id, {
          onSuccess: () => toast({ title: 'Invitation revoked', description: invitation.email }),
          onError: (e) => toast({ title: 'Could not revoke the invitation', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

function Invitations({ members, onInvite }: { members: TeamMember[]; onInvite(): void }) {
  const invitations = useInvitations(true);
  const items = invitations.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>Pending invitations</CardTitle>
        <CardDescription>Links not used yet; each works once, for 7 days.</CardDescription>
      </CardHeader>
      <CardContent>
        {invitations.isLoading ? (
          <ListSkeleton rows={2} />
        ) : invitations.error ? (
          <ErrorState compact error={invitations.error} onRetry={() => void invitations.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState
            icon={MailPlus}
            title="No pending invitations"
            className="py-8"
            action={
              <Button variant="outline" size="sm" onClick={onInvite}>
                <UserPlus /> Invite a teammate
              </Button>
            }
          />
        ) : (
          <ul className="flex flex-col divide-y rounded-lg border" data-testid="invitation-list">
            {items.map((i) => {
              const inviter = members.find((m) => m.id === i.invitedBy);
              return (
                <li key={i.id} className="flex items-center gap-3 p-3" data-testid="invitation-row" data-email={i.email}>
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                      <span className="truncate">{i.email}</span>
                      <Badge variant="outline">{i.role}</Badge>
                    </p>
                    <p className="truncate text-xs text-muted-foreground" title={`Expires ${formatDateTime(i.expiresAt)}`}>
                      Sent {formatRelative(i.createdAt)}
                      {inviter ? ` by ${inviter.name || inviter.email}` : ''} · expires {formatRelative(i.expiresAt)}
                    </p>
                  </div>
                  <RevokeInvitation invitation={i} />
                </li>
              );
            })}
          </ul>
        )}
        <LoadMore query={invitations} className="pt-3" />
      </CardContent>
    </Card>
  );
}

export function TeamPage() {
  const user = useCurrentUser();
  const isAdmin = user?.role === 'admin';
  const members = useMembers(isAdmin);
  const toast = useToast();
  const [inviting, setInviting] = React.useState(false);
  const [created, setCreated] = React.useState<CreatedInvitation | null>(null);
  const items = members.data?.pages.flatMap((p) => p.items) ?? [];

  if (!isAdmin) {
    return (
      <>
        <PageHeader title="Team" description={user?.tenantName ? `The people of ${user.tenantName}.` : 'The people of this workspace.'} />
        <RestrictedState
          title="Admins manage the team"
          description={`You are ${user?.role === 'editor' ? 'an editor' : 'a viewer'} here: ${roleSummary[user?.role ?? 'viewer']} Ask an admin to invite teammates or change roles.`}
        />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Team"
        description={`Who can sign in to ${user?.tenantName ?? 'this workspace'}, and what each may do.`}
        actions={
          <Button onClick={() => setInviting(true)} data-testid="invite-member">
            <UserPlus /> Invite teammate
          </Button>
        }
      />
      <div className="grid gap-4 lg:grid-cols-5">
        <Card className="min-w-0 lg:col-span-3">
          <CardHeader>
            <CardTitle>Members</CardTitle>
            <CardDescription>Admins manage everything; editors build; viewers look. A workspace always keeps one admin.</CardDescription>
          </CardHeader>
          <CardContent>
            {members.isLoading ? (
              <ListSkeleton rows={3} />
            ) : members.error ? (
              <ErrorState compact error={members.error} onRetry={() => void members.refetch()} />
            ) : items.length === 0 ? (
              <EmptyState icon={Users} title="No members" className="py-8" />
            ) : (
              <ul className="flex flex-col divide-y rounded-lg border" data-testid="member-list">
                {items.map((m) => (
                  <MemberRow key={m.id} member={m} isSelf={m.id === user?.id} />
                ))}
              </ul>
            )}
            <LoadMore query={members} className="pt-3" />
          </CardContent>
        </Card>
        <div className="lg:col-span-2">
          <Invitations members={items} onInvite={() => setInviting(true)} />
        </div>
      </div>
      <div className="mt-4">
        <SsoSection />
      </div>
      <InviteDialog
        open={inviting}
        onOpenChange={setInviting}
        onInvited={(invitation) => {
          toast({ title: 'Invitation created', description: invitation.email, variant: 'success' });
          setCreated(invitation);
        }}
      />
      <OneTimeSecretDialog
        secret={created ? invitationLink(created.token) : null}
        title={`Invitation for ${created?.email ?? ''}`}
        description={created ? `They join as ${created.role}. The link works until ${formatDateTime(created.expiresAt)}.` : undefined}
        label="Invitation link"
        copyLabel="Copy link"
        warning={
          <>
            <strong>Copy this link now and send it to them.</strong> It is shown only this once; anyone holding it can join this workspace until it expires or you revoke it.
          </>
        }
        onClose={() => setCreated(null)}
        testId="invitation-link-dialog"
      />
    </>
  );
}
