'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { FileCode2, Route, Users } from 'lucide-react';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { PageHeader } from '@/components/common/page-header';
import { ConfigPanel } from './config-panel';
import { ConsumersPanel } from './consumers-panel';
import { TemplatesPanel } from './templates-panel';

const TABS = ['templates', 'consumers', 'config'] as const;
type Tab = (typeof TABS)[number];

export function GatewayPage() {
  const user = useCurrentUser();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tab: Tab = TABS.find((t) => t === params.get('tab')) ?? 'templates';
  const consumer = params.get('consumer');
  const isAdmin = user?.role === 'admin';
  const canWrite = isAdmin || user?.role === 'editor';

  // The tab and the consumer whose usage is open live in the URL, so a view can be linked to.
  function navigate(next: { tab?: Tab; consumer?: string | null }) {
    const q = new URLSearchParams(params.toString());
    if (next.tab) q.set('tab', next.tab);
    if (next.consumer !== undefined) {
      if (next.consumer) q.set('consumer', next.consumer);
      else q.delete('consumer');
    }
    if (q.get('tab') === 'templates') q.delete('tab');
    router.replace(`${pathname}${q.size ? `?${q}` : ''}`, { scroll: false });
  }

  return (
    <>
      <PageHeader
        title="Gateway"
        description={
          isAdmin
            ? 'Kong routes in front of your webhook workflows, the API consumers that call them, and their usage.'
            : 'Kong routes in front of your webhook workflows. API consumers and the whole config are for admins.'
        }
      />
      <Tabs value={tab} onValueChange={(v) => navigate({ tab: v as Tab })}>
        <TabsList className="mb-1">
          <TabsTrigger value="templates" data-testid="gateway-tab-templates">
            <Route /> Templates
          </TabsTrigger>
          <TabsTrigger value="consumers" data-testid="gateway-tab-consumers">
            <Users /> API consumers
          </TabsTrigger>
          <TabsTrigger value="config" data-testid="gateway-tab-config">
            <FileCode2 /> Config
          </TabsTrigger>
        </TabsList>
        <TabsContent value="templates">
          <TemplatesPanel canWrite={canWrite} />
        </TabsContent>
        <TabsContent value="consumers">
          <ConsumersPanel isAdmin={isAdmin} selected={consumer} onSelect={(id) => navigate({ consumer: id })} />
        </TabsContent>
        <TabsContent value="config">
          <ConfigPanel isAdmin={isAdmin} />
        </TabsContent>
      </Tabs>
    </>
  );
}
