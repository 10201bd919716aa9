import { test, expect } from '@grafana/plugin-e2e';

test('Save & test reaches the voice-agent-api through the proxy', async ({
  readProvisionedDataSource,
  gotoDataSourceConfigPage,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'voiceagent.yaml' });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /Connected to voice-agent-api/ });
});

test('the query editor runs a Beast Mode query in a panel', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'voiceagent.yaml' });
  await panelEditPage.datasource.set(ds.name);
  await page.getByLabel('Query kind').click();
  await page.getByText('Beast Mode', { exact: true }).click();
  await expect(panelEditPage.refreshPanel()).toBeOK();
});

test('the Beast Mode panel renders on a dashboard', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: 'voiceagent.yaml' });
  await panelEditPage.datasource.set(ds.name);
  await page.getByLabel('Query kind').click();
  await page.getByText('Beast Mode', { exact: true }).click();
  await panelEditPage.setVisualization('Beast Mode Progress');
  await expect(panelEditPage.refreshPanel()).toBeOK();
  await expect(page.getByTestId('mwva-beast-panel')).toBeVisible();
});
