/**
 * Grafana's page chrome as the plugin sees it, after public/app/core/components/AppChrome and
 * Page/PageHeader: a top bar with breadcrumbs, the docked mega menu with the nav tree from the boot
 * data, and the page header PluginPage renders (title of the active nav item, subtitle, actions).
 * Built with @grafana/ui's theme; Grafana's own components are not published, so this is a faithful
 * layout, not Grafana's code.
 */
import React, { createContext, type ReactNode, useContext } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2, NavModelItem } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { EmptyState, Icon, useStyles2 } from '@grafana/ui';
import { boot } from './boot';

/** The app's section of the nav tree and the item of the current page (Grafana's PluginPageContext). */
export interface SectionNav {
  section?: NavModelItem;
  active?: NavModelItem;
}
export const PageContext = createContext<SectionNav>({});

const stripSubUrl = (url = '') => url.slice(boot.settings.appSubUrl.length) || '/';

/** buildPluginSectionNav: the app section whose child's URL the current path starts with. */
export function sectionNavFor(pathname: string): SectionNav {
  const sections = boot.navTree.flatMap((n) => n.children ?? []);
  for (const section of sections) {
    const active = (section.children ?? [])
      .filter((c) => pathname === stripSubUrl(c.url) || pathname.startsWith(`${stripSubUrl(c.url)}/`))
      .sort((a, b) => (b.url?.length ?? 0) - (a.url?.length ?? 0))[0];
    if (active || pathname.startsWith(`/a/${(section.id ?? '').replace('plugin-page-', '')}`)) {
      return { section, active };
    }
  }
  return {};
}

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({
    display: 'flex',
    flexDirection: 'column',
    minHeight: '100vh',
    background: theme.colors.background.canvas,
  }),
  topBar: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    height: 40,
    padding: theme.spacing(0, 2),
    background: theme.colors.background.primary,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  logo: css({ width: 24, height: 24, color: theme.colors.text.primary }),
  previewLabel: css({
    marginLeft: 'auto',
    padding: theme.spacing(0.25, 1),
    borderRadius: theme.shape.radius.pill,
    border: `1px solid ${theme.colors.warning.border}`,
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  breadcrumbs: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  crumb: css({ color: theme.colors.text.secondary, '&:last-child': { color: theme.colors.text.primary } }),
  body: css({ display: 'flex', flex: 1, minHeight: 0 }),
  menu: css({
    width: 300,
    flexShrink: 0,
    padding: theme.spacing(1, 0),
    background: theme.colors.background.primary,
    borderRight: `1px solid ${theme.colors.border.weak}`,
  }),
  menuItem: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
    padding: theme.spacing(0.75, 2),
    color: theme.colors.text.secondary,
    '&:hover': { color: theme.colors.text.primary, background: theme.colors.action.hover },
  }),
  menuChild: css({ paddingLeft: theme.spacing(6) }),
  menuActive: css({
    color: theme.colors.text.primary,
    background: theme.colors.action.selected,
    boxShadow: `inset 4px 0 0 ${theme.colors.primary.main}`,
  }),
  main: css({ flex: 1, minWidth: 0, overflow: 'auto' }),
  page: css({ padding: theme.spacing(2, 4) }),
  header: css({ marginBottom: theme.spacing(2) }),
  title: css({ ...theme.typography.h1, margin: 0, display: 'flex', alignItems: 'center', gap: theme.spacing(2) }),
  titleImg: css({ width: 32, height: 32 }),
  subTitle: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(1) }),
  notice: css({
    padding: theme.spacing(1, 2),
    background: theme.colors.warning.transparent,
    color: theme.colors.warning.text,
    borderBottom: `1px solid ${theme.colors.warning.border}`,
  }),
});

function MenuItem({ item, child, activeUrl }: { item: NavModelItem; child?: boolean; activeUrl?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <Link
      to={stripSubUrl(item.url)}
      className={cx(styles.menuItem, child && styles.menuChild, item.url === activeUrl && styles.menuActive)}
      aria-current={item.url === activeUrl ? 'page' : undefined}
    >
      {item.img ? (
        <img src={item.img} alt="" width={16} height={16} />
      ) : item.icon ? (
        <Icon name={item.icon as never} />
      ) : null}
      {item.text}
    </Link>
  );
}

function MegaMenu({ activeUrl }: { activeUrl?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <nav className={styles.menu} data-testid="standin-mega-menu" aria-label="Grafana navigation">
      {boot.navTree.map((item) => (
        <div key={item.id}>
          <MenuItem item={item} activeUrl={activeUrl} />
          {(item.children ?? []).map((section) => (
            <div key={section.id}>
              <MenuItem item={section} child activeUrl={activeUrl} />
              {(section.children ?? []).map((c) => (
                <div key={c.id} style={{ paddingLeft: 24 }}>
                  <MenuItem item={c} child activeUrl={activeUrl} />
                </div>
              ))}
            </div>
          ))}
        </div>
      ))}
    </nav>
  );
}

export function Chrome({ children }: { children: ReactNode }) {
  const styles = useStyles2(getStyles);
  const { pathname } = useLocation();
  const nav = sectionNavFor(pathname);
  const crumbs = [
    boot.navTree[0],
    nav.section && boot.navTree.find((n) => n.id === 'apps'),
    nav.section,
    nav.active,
  ].filter((c): c is NavModelItem => Boolean(c));
  return (
    <div className={styles.layout}>
      <header className={styles.topBar} data-testid="standin-top-bar">
        <svg className={styles.logo} viewBox="0 0 24 24" aria-label="Grafana">
          <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="2" />
          <circle cx="12" cy="12" r="3" fill="currentColor" />
        </svg>
        <nav className={styles.breadcrumbs} aria-label="Breadcrumbs" data-testid="standin-breadcrumbs">
          {crumbs.map((c, i) => (
            <React.Fragment key={c.id ?? c.text}>
              {i > 0 && <Icon name="angle-right" size="sm" />}
              <Link className={styles.crumb} to={stripSubUrl(c.url)}>
                {c.text}
              </Link>
            </React.Fragment>
          ))}
        </nav>
        {boot.standIn.previewLabel && (
          <span className={styles.previewLabel} data-testid="standin-preview-label">
            {boot.standIn.previewLabel}
          </span>
        )}
      </header>
      <StartupNotices />
      <div className={styles.body}>
        <MegaMenu activeUrl={nav.active?.url} />
        <main className={styles.main}>
          <PageContext.Provider value={nav}>{children}</PageContext.Provider>
        </main>
      </div>
    </div>
  );
}

/**
 * Not Grafana: what the stand-in found at start-up that Grafana would not show on this page
 * (plugins it refused, an unmet grafanaDependency). Grafana logs these; the stand-in says them here.
 */
function StartupNotices() {
  const styles = useStyles2(getStyles);
  const lines = [...boot.standIn.pluginErrors.map((e) => e.message), ...boot.standIn.warnings];
  if (lines.length === 0) {
    return null;
  }
  return (
    <div className={styles.notice} role="alert" data-testid="standin-startup-notices">
      {lines.map((l) => (
        <div key={l}>Grafana stand-in: {l}</div>
      ))}
    </div>
  );
}

/** Page with PageHeader (public/app/core/components/Page): the header shows the page's nav item. */
export function Page({
  navItem,
  subTitle,
  actions,
  children,
}: {
  navItem?: NavModelItem;
  subTitle?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.page}>
      {navItem && (
        <div className={styles.header} data-testid="standin-page-header">
          <h1 className={styles.title}>
            {navItem.img && <img className={styles.titleImg} src={navItem.img} alt="" />}
            {navItem.text}
            {actions}
          </h1>
          {(subTitle ?? navItem.subTitle) && <div className={styles.subTitle}>{subTitle ?? navItem.subTitle}</div>}
        </div>
      )}
      {children}
    </div>
  );
}

/** What plugins get as PluginPage (@grafana/runtime, set at start-up like Grafana's app does). */
export function StandInPluginPage({ pageNav, subTitle, actions, renderTitle, children }: PluginPageProps) {
  const { active, section } = useContext(PageContext);
  const navItem = pageNav ?? active ?? section;
  const titled = navItem && renderTitle ? { ...navItem, text: renderTitle(navItem.text) as string } : navItem;
  return (
    <Page navItem={titled} subTitle={subTitle} actions={actions}>
      {children}
    </Page>
  );
}

/** EntityNotFound (public/app/core/components/PageNotFound): "App not found", "Page not found". */
export function EntityNotFound({ entity }: { entity: string }) {
  return (
    <Page>
      <div data-testid="standin-entity-not-found">
        <EmptyState message={`${entity} not found`} variant="not-found">
          We&apos;re looking but can&apos;t seem to find this {entity.toLowerCase()}. Try returning{' '}
          <Link to="/">home</Link>.
        </EmptyState>
      </div>
    </Page>
  );
}
