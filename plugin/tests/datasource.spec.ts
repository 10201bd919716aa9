import { test, expect } from '@grafana/plugin-e2e';
import { DATASOURCE_NAME } from '../src/constants';

// The repository's provisioning (playwright.config.ts provisioningRootDir): the data source Grafana
// has, provisioned with editable: false.
const provisioned = { fileName: 'datasources.yml', name: DATASOURCE_NAME };

test('the provisioned data source is read-only in Grafana, and Test reaches the voice-agent-api through the proxy', async ({
  readProvisionedDataSource,
  gotoDataSourceConfigPage,
  selectors,
  page,
}) => {
  const ds = await readProvisionedDataSource(provisioned);
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.getByGrafanaSelector(selectors.pages.DataSource.readOnly)).toBeVisible();
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(configPage).toHaveAlert('success', { hasText: /Connected to voice-agent-api/ });
});

test('Grafana refuses to save the provisioned data source (403)', async ({ readProvisionedDataSource, request }) => {
  const ds = await readProvisionedDataSource(provisioned);
  const response = await request.put(`/api/datasources/uid/${ds.uid}`, {
    data: { name: ds.name, type: ds.type, access: 'proxy', jsonData: { url: 'http://elsewhere' } },
  });
  expect(response.status()).toBe(403);
  expect(await response.json()).toEqual({ message: 'Cannot update read-only data source' });
});

test('the query editor runs a Beast Mode query in a panel', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource(provisioned);
  await panelEditPage.datasource.set(ds.name);
  await page.getByLabel('Query kind').click();
  await page.getByText('Beast Mode', { exact: true }).click();
  await expect(panelEditPage.refreshPanel()).toBeOK();
});

test('the Beast Mode panel renders on a dashboard', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource(provisioned);
  await panelEditPage.datasource.set(ds.name);
  await page.getByLabel('Query kind').click();
  await page.getByText('Beast Mode', { exact: true }).click();
  await panelEditPage.setVisualization('Beast Mode Progress');
  await expect(panelEditPage.refreshPanel()).toBeOK();
  await expect(page.getByTestId('mwva-beast-panel')).toBeVisible();
});
